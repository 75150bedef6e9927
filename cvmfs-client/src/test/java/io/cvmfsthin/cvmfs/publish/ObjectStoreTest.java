package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pooled deflaters write exactly zlib's bytes, from any number of threads, before and after reuse.
 */
class ObjectStoreTest {
  @TempDir Path repo;

  @BeforeEach
  void skeleton() throws Exception {
    Files.createDirectories(repo.resolve("data/txn"));
    for (int i = 0; i < 256; i++) {
      Files.createDirectories(repo.resolve(String.format("data/%02x", i)));
    }
  }

  private static byte[] data(int size, long seed) {
    byte[] b = new byte[size];
    Random r = new Random(seed);
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (seed % 2 == 0 ? 'a' + r.nextInt(4) : r.nextInt());
    }
    return b;
  }

  @Test
  void objects_areZlibOfTheirBytes_sinkAfterSink_andAcrossThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (ObjectStore store = new ObjectStore(repo, HashAlgorithm.SHA1, pool)) {
      List<Future<ContentHash>> hashes = new ArrayList<>();
      List<byte[]> inputs = new ArrayList<>();
      int[] sizes = {0, 1, 100_000, 3 << 20, 7, 70_000};
      for (int i = 0; i < 24; i++) {
        byte[] raw = data(sizes[i % sizes.length], i);
        inputs.add(raw);
        hashes.add(
            pool.submit(
                () -> {
                  try (ObjectStore.ObjectSink sink = store.newSink(Compression.ZLIB)) {
                    for (int off = 0; off < raw.length; off += 8191) {
                      sink.write(raw, off, Math.min(8191, raw.length - off));
                    }
                    return sink.commit(ObjectType.FILE);
                  }
                }));
      }
      for (int i = 0; i < inputs.size(); i++) {
        byte[] expected = Zlib.compress(inputs.get(i));
        ContentHash h = hashes.get(i).get();
        assertThat(h).isEqualTo(HashAlgorithm.SHA1.hash(expected));
        assertThat(Files.readAllBytes(store.path(h, ObjectType.FILE))).isEqualTo(expected);
      }
      store.syncCreated(); // on the pool
      ContentHash plain = store.put(new byte[] {1, 2, 3}, ObjectType.FILE, Compression.NONE);
      assertThat(Files.readAllBytes(store.path(plain, ObjectType.FILE))).containsExactly(1, 2, 3);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anAbandonedSink_leavesNoObjectAndTheNextOneIsWhole() throws Exception {
    try (ObjectStore store = new ObjectStore(repo, HashAlgorithm.SHA1)) {
      try (ObjectStore.ObjectSink sink = store.newSink(Compression.ZLIB)) {
        sink.write(data(50_000, 3));
      } // closed without commit: its deflater goes back mid-stream
      byte[] raw = data(50_000, 4);
      ContentHash h = store.put(raw, ObjectType.FILE, Compression.ZLIB);
      assertThat(Files.readAllBytes(store.path(h, ObjectType.FILE))).isEqualTo(Zlib.compress(raw));
      assertThat(store.createdCount()).isEqualTo(1);
    }
    try (var txn = Files.list(repo.resolve("data/txn"))) {
      assertThat(txn).isEmpty();
    }
  }
}
