package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunk boundaries, the one-chunk rule, object names and deduplication. */
class ContentWriterTest {
  static final ChunkingPolicy POLICY = ChunkingPolicy.of(1024, 2048, 4096);

  @TempDir Path repo;
  ObjectStore store;

  @BeforeEach
  void store() throws Exception {
    Files.createDirectories(repo.resolve("data/txn"));
    for (int i = 0; i < 256; i++) {
      Files.createDirectories(repo.resolve(String.format("data/%02x", i)));
    }
    store = new ObjectStore(repo, HashAlgorithm.SHA1);
  }

  @Test
  void emptyFile_isTheWellKnownObject() throws Exception {
    FileContent c = writer(Compression.ZLIB).write(new ByteArrayInputStream(new byte[0]), 0, "e");
    assertThat(c.hash().toString()).isEqualTo("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78");
    assertThat(Files.readAllBytes(store.path(c.hash(), ObjectType.FILE)))
        .containsExactly(0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01);
  }

  @Test
  void helloWorld_hashesAsTheSpecVector() throws Exception {
    byte[] hello = "Hello, World!\n".getBytes();
    FileContent c = writer(Compression.ZLIB).write(new ByteArrayInputStream(hello), 14, "h");
    assertThat(c.hash().toString()).isEqualTo("2811d5bf7fca6a3a83dbcfd0968bee5ac070b6c0");
    FileContent plain = writer(Compression.NONE).write(new ByteArrayInputStream(hello), 14, "h");
    assertThat(plain.hash().toString()).isEqualTo("60fde9c2310b0d4cad4dab8d126b04387efba289");
  }

  @Test
  void largeFile_isCutWithinTheLimits_andReassembles() throws Exception {
    byte[] data = PublishRoundTripIT.random(100_000, 11);
    FileContent c =
        writer(Compression.ZLIB).write(new ByteArrayInputStream(data), data.length, "big");
    assertThat(c.chunked()).isTrue();
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    long offset = 0;
    for (int i = 0; i < c.chunks().size(); i++) {
      FileChunk chunk = c.chunks().get(i);
      assertThat(chunk.offset()).isEqualTo(offset);
      assertThat(chunk.sizeBytes()).isLessThanOrEqualTo(4096);
      if (i < c.chunks().size() - 1) {
        assertThat(chunk.sizeBytes()).isGreaterThanOrEqualTo(1024);
      }
      byte[] raw = Files.readAllBytes(store.path(chunk.hash(), ObjectType.PARTIAL));
      assertThat(HashAlgorithm.SHA1.hash(raw)).isEqualTo(chunk.hash());
      back.write(Zlib.inflate(raw, 1 << 20));
      offset += chunk.sizeBytes();
    }
    assertThat(back.toByteArray()).isEqualTo(data);
  }

  @Test
  void boundaries_areContentDefined_soAnInsertionKeepsLaterChunks() throws Exception {
    byte[] data = PublishRoundTripIT.random(200_000, 12);
    byte[] shifted = new byte[data.length + 10];
    System.arraycopy(data, 0, shifted, 10, data.length);
    List<String> a =
        hashes(writer(Compression.ZLIB).write(new ByteArrayInputStream(data), data.length, "a"));
    List<String> b =
        hashes(
            writer(Compression.ZLIB).write(new ByteArrayInputStream(shifted), shifted.length, "b"));
    List<String> common = new ArrayList<>(a);
    common.retainAll(b);
    assertThat(common.size()).isGreaterThan(a.size() / 2);
  }

  @Test
  void fileOfOneChunk_isStoredWhole() throws Exception {
    byte[] zeros = new byte[1500]; // above the minimum, but no cut before the end
    FileContent c =
        writer(Compression.ZLIB).write(new ByteArrayInputStream(zeros), zeros.length, "z");
    assertThat(c.chunked()).isFalse();
    assertThat(store.exists(c.hash(), ObjectType.FILE)).isTrue();
    assertThat(store.exists(c.hash(), ObjectType.PARTIAL)).isFalse();
  }

  @Test
  void zeros_areCutAtTheMaximum_andDeduplicated() throws Exception {
    byte[] zeros = new byte[3 * 4096 + 100];
    FileContent c =
        writer(Compression.ZLIB).write(new ByteArrayInputStream(zeros), zeros.length, "z");
    assertThat(c.chunks())
        .extracting(FileChunk::sizeBytes)
        .containsExactly(4096L, 4096L, 4096L, 100L);
    assertThat(c.chunks().get(0).hash()).isEqualTo(c.chunks().get(1).hash());
    assertThat(store.createdCount()).isEqualTo(2);
  }

  @Test
  void shortStream_isAnError_andLeavesNoObject() throws Exception {
    byte[] data = new byte[5000];
    Arrays.fill(data, (byte) 1);
    try {
      writer(Compression.ZLIB).write(new ByteArrayInputStream(data), 9000, "short");
    } catch (EOFException expected) {
      assertThat(expected).hasMessageContaining("short").hasMessageContaining("5000 of 9000");
    }
    store.removeCreated();
    try (var s = Files.walk(repo.resolve("data"))) {
      assertThat(s.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void chunksStoredInParallel_areTheSequentialOnes_wholeFilesToo() throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.Random r = new java.util.Random(5);
      for (int size : new int[] {0, 100, 1500, 4096, 4097, 20_000, 300_000}) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
          data[i] = (byte) (i % 3 == 0 ? r.nextInt() : 'a');
        }
        FileContent sequential =
            writer(Compression.ZLIB).write(new ByteArrayInputStream(data), size, "s");
        try (ContentTasks tasks = new ContentTasks(pool, 16 * 1024)) {
          FileContent parallel =
              writer(Compression.ZLIB).write(new ByteArrayInputStream(data), size, "p", tasks);
          tasks.awaitAll();
          assertThat(parallel).as("size %d", size).isEqualTo(sequential);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void chunksStoredInParallel_aShortStream_isRefusedAndAwaited() throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try (ContentTasks tasks = new ContentTasks(pool, 16 * 1024)) {
      byte[] data = new byte[50_000];
      new java.util.Random(9).nextBytes(data);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  writer(Compression.ZLIB)
                      .write(new ByteArrayInputStream(data), 60_000, "short", tasks))
          .isInstanceOf(EOFException.class)
          .hasMessageContaining("short: ended after 50000 of 60000 bytes");
    } finally {
      pool.shutdownNow();
    }
  }

  private ContentWriter writer(Compression c) {
    return new ContentWriter(store, c, POLICY);
  }

  private static List<String> hashes(FileContent c) {
    return c.chunks().stream().map(x -> x.hash().toString()).toList();
  }
}
