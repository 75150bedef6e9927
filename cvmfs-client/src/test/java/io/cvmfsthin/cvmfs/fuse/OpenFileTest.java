package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunk read-ahead of an open file, against objects kept in a directory. */
class OpenFileTest {
  static final int CHUNK = 1000;
  static final int CHUNKS = 20;

  @TempDir Path dir;

  /** Chunks of {@code CHUNK} bytes of their index; records what was fetched ahead. */
  final class Objects implements OpenFile.ObjectFiles {
    final Map<ContentHash, Path> files = new HashMap<>();
    final List<Integer> ahead = new ArrayList<>();
    final List<ContentHash> hashes = new ArrayList<>();
    final int readahead;

    Objects(int readahead) throws IOException {
      this.readahead = readahead;
      for (int i = 0; i < CHUNKS; i++) {
        byte[] b = new byte[CHUNK];
        java.util.Arrays.fill(b, (byte) i);
        ContentHash h = HashAlgorithm.SHA1.hash(b);
        Path f = dir.resolve("chunk" + i);
        Files.write(f, b);
        files.put(h, f);
        hashes.add(h);
      }
    }

    List<FileChunk> chunks() {
      List<FileChunk> out = new ArrayList<>();
      for (int i = 0; i < CHUNKS; i++) {
        out.add(new FileChunk((long) i * CHUNK, CHUNK, hashes.get(i)));
      }
      return out;
    }

    @Override
    public Path get(ContentHash hash, ObjectType type, long sizeBytes) {
      return files.get(hash);
    }

    @Override
    public void fetchAhead(ContentHash hash, ObjectType type, long sizeBytes) {
      assertThat(type).isEqualTo(ObjectType.PARTIAL);
      ahead.add(hashes.indexOf(hash));
    }

    @Override
    public int readaheadChunks() {
      return readahead;
    }
  }

  static DirectoryEntry entry() {
    return new DirectoryEntry(
        "/big",
        0100644,
        (long) CHUNK * CHUNKS,
        0,
        0,
        0,
        0,
        0,
        null,
        HashAlgorithm.SHA1,
        Compression.ZLIB,
        true,
        null,
        0,
        1,
        null,
        0);
  }

  @Test
  void sequentialReads_fetchTheNextChunksAhead_eachOnce() throws Exception {
    Objects objects = new Objects(4);
    try (OpenFile f = OpenFile.open(entry(), objects.chunks(), objects)) {
      ByteBuffer buf = ByteBuffer.allocate(300);
      for (long at = 0; at < (long) CHUNK * CHUNKS; at += 300) {
        buf.clear();
        int n = f.read(buf, at);
        assertThat(buf.get(0)).isEqualTo((byte) (at / CHUNK));
        assertThat(n).isPositive();
        if (at == 0) {
          assertThat(objects.ahead).containsExactly(1, 2, 3, 4);
        }
      }
    }
    List<Integer> all = new ArrayList<>();
    for (int i = 1; i < CHUNKS; i++) {
      all.add(i);
    }
    assertThat(objects.ahead).as("every later chunk asked for once, in order").isEqualTo(all);
  }

  @Test
  void aWholeFileOpenedWithFd_keepsADescriptorOfItsCachedCopy_untilClose() throws Exception {
    Objects objects = new Objects(0);
    ContentHash h = objects.hashes.get(3);
    DirectoryEntry whole =
        new DirectoryEntry(
            "/small",
            0100644,
            CHUNK,
            0,
            0,
            0,
            0,
            0,
            h,
            HashAlgorithm.SHA1,
            Compression.ZLIB,
            false,
            null,
            0,
            1,
            null,
            0);
    int fd;
    try (OpenFile f = OpenFile.open(whole, List.of(), objects, true)) {
      fd = f.fd();
      assertThat(fd).isNotNegative();
      assertThat(Path.of("/proc/self/fd/" + fd).toRealPath())
          .isEqualTo(objects.files.get(h).toRealPath());
    }
    assertThat(Path.of("/proc/self/fd/" + fd)).doesNotExist();
    try (OpenFile f = OpenFile.open(whole, List.of(), objects)) {
      assertThat(f.fd()).isEqualTo(-1); // none asked for
    }
    try (OpenFile f = OpenFile.open(entry(), objects.chunks(), objects, true)) {
      assertThat(f.fd()).isEqualTo(-1); // chunked: read chunk by chunk
    }
  }

  @Test
  void randomReads_fetchNothingAhead() throws Exception {
    Objects objects = new Objects(4);
    try (OpenFile f = OpenFile.open(entry(), objects.chunks(), objects)) {
      for (int i : new int[] {7, 2, 15, 11, 4}) {
        ByteBuffer buf = ByteBuffer.allocate(10);
        f.read(buf, (long) i * CHUNK + 5);
        assertThat(buf.get(0)).isEqualTo((byte) i);
      }
    }
    assertThat(objects.ahead).isEmpty();
  }

  @Test
  void withoutReadahead_nothingIsFetchedAhead() throws Exception {
    Objects objects = new Objects(0);
    try (OpenFile f = OpenFile.open(entry(), objects.chunks(), objects)) {
      for (long at = 0; at < (long) CHUNK * CHUNKS; at += 500) {
        f.read(ByteBuffer.allocate(500), at);
      }
    }
    assertThat(objects.ahead).isEmpty();
  }
}
