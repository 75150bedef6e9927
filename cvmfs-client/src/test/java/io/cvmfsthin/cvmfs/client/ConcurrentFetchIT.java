package io.cvmfsthin.cvmfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.TestRepos;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded concurrent fetching over a loopback stratum: chunk read-ahead, keep-alive reuse of
 * connections, the bound on fetches at once, and one fetch per object however many ask.
 */
class ConcurrentFetchIT {
  static final String FQRN = "concurrent.example.org";
  static final int SMALL_FILES = 200;

  @TempDir static Path tmp;
  static Path keys;
  static byte[] big;
  static TestStratum srv;

  @BeforeAll
  static void publish() throws Exception {
    keys = tmp.resolve("keys");
    RepositoryPublisher publisher = TestRepos.create(tmp.resolve("cvmfs"), keys, FQRN);
    big = new byte[12 * 1024 * 1024];
    new Random(3).nextBytes(big);
    TestRepos.Tar tar = new TestRepos.Tar().file("big.bin", big);
    for (int i = 0; i < SMALL_FILES; i++) {
      tar.file(String.format("small/f%03d", i), small(i));
    }
    publisher.publish(Publication.tar("/", tar.stream()));
    srv = TestStratum.serve(tmp);
  }

  @AfterAll
  static void stop() {
    srv.close();
  }

  static byte[] small(int i) {
    byte[] b = new byte[20_000 + i * 50];
    new Random(i).nextBytes(b);
    return b;
  }

  @BeforeEach
  void reset() {
    srv.clearFaults();
    srv.resetCounts();
  }

  RepositoryClient client(Path cache, int maxFetches, int readahead) throws Exception {
    return RepositoryClient.open(
        ClientSettings.builder(FQRN)
            .serverUrls(srv.url(FQRN))
            .masterKeys(keys.resolve(FQRN + ".pub"))
            .cacheDir(cache)
            .maxConcurrentFetches(maxFetches)
            .readaheadChunks(readahead)
            .build());
  }

  static byte[] read(RepositoryClient c, String path) throws Exception {
    try (InputStream in = c.open(path)) {
      return in.readAllBytes();
    }
  }

  @Test
  void sequentialReadOfAChunkedFile_fetchesTheNextChunksInParallel_oncePerChunk(@TempDir Path cache)
      throws Exception {
    try (RepositoryClient c = client(cache, 16, 4)) {
      List<FileChunk> chunks = c.chunks("/big.bin");
      assertThat(chunks).hasSizeGreaterThan(8);
      srv.fault("P", TestStratum.Fault.delay(40));
      try {
        assertThat(Arrays.equals(read(c, "/big.bin"), big)).isTrue();
      } finally {
        srv.clearFaults();
      }
      assertThat(srv.maxConcurrentRequests()).isGreaterThanOrEqualTo(3);
      for (FileChunk chunk : chunks) {
        assertThat(srv.requests(chunk.hash().objectPath(ObjectType.PARTIAL)))
            .as("fetches of the chunk at %d", chunk.offset())
            .isEqualTo(1);
      }
    }
  }

  @Test
  void sequentialFetches_reuseOneConnection(@TempDir Path cache) throws Exception {
    int before = srv.connections();
    try (RepositoryClient c = client(cache, 16, 4)) {
      for (int i = 0; i < SMALL_FILES; i++) {
        assertThat(read(c, String.format("/small/f%03d", i))).isEqualTo(small(i));
      }
      assertThat(c.counters().downloads()).isGreaterThan(SMALL_FILES);
    }
    assertThat(srv.connections() - before).isLessThanOrEqualTo(3);
  }

  @Test
  void manyReadersAtOnce_areBoundedByTheSetting_andReuseTheirConnections(@TempDir Path cache)
      throws Exception {
    int before = srv.connections();
    ExecutorService readers = Executors.newFixedThreadPool(16);
    try (RepositoryClient c = client(cache, 4, 0)) {
      srv.resetCounts();
      srv.fault("", TestStratum.Fault.delay(5));
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int first = t;
        done.add(
            readers.submit(
                () -> {
                  for (int i = first; i < SMALL_FILES; i += 16) {
                    assertThat(read(c, String.format("/small/f%03d", i))).isEqualTo(small(i));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      readers.shutdownNow();
      srv.clearFaults();
    }
    // 16 readers, 4 fetches at once; the server's count may see one more: its handler returns a
    // little after the client has the whole body and has let the next fetch start
    assertThat(srv.maxConcurrentRequests()).isBetween(2, 4 + 1);
    assertThat(srv.connections() - before).isLessThanOrEqualTo(4 + 3);
  }

  @Test
  void sixteenFetchesAtOnce_useAtMostSixteenConnections(@TempDir Path cache) throws Exception {
    int before = srv.connections();
    ExecutorService readers = Executors.newFixedThreadPool(16);
    try (RepositoryClient c = client(cache, 16, 0)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int first = t;
        done.add(
            readers.submit(
                () -> {
                  go.await();
                  for (int i = first; i < SMALL_FILES; i += 16) {
                    assertThat(read(c, String.format("/small/f%03d", i))).isEqualTo(small(i));
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      readers.shutdownNow();
    }
    assertThat(srv.connections() - before).isLessThanOrEqualTo(16 + 3);
  }

  /** Eight readers and the prefetcher ({@code fetchAsync}) race over the same objects. */
  @Test
  void eightReadersAndPrefetch_fetchEachObjectOnce(@TempDir Path cache) throws Exception {
    ExecutorService readers = Executors.newFixedThreadPool(8);
    try (RepositoryClient c = client(cache, 16, 4)) {
      List<DirectoryEntry> entries = c.list("/small");
      srv.fault("", TestStratum.Fault.delay(2));
      List<CompletableFuture<Path>> prefetched = new ArrayList<>();
      for (DirectoryEntry e : entries) {
        prefetched.add(c.fetchAsync(e.hash(), ObjectType.FILE, e.compression(), e.sizeBytes()));
      }
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int shift = t * 25;
        done.add(
            readers.submit(
                () -> {
                  for (int k = 0; k < entries.size(); k++) {
                    int i = (k + shift) % entries.size();
                    assertThat(read(c, entries.get(i).path())).isEqualTo(small(i));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      for (int i = 0; i < entries.size(); i++) {
        Path file = prefetched.get(i).get(30, TimeUnit.SECONDS);
        assertThat(file).exists();
        assertThat(Files.readAllBytes(file)).isEqualTo(small(i));
        DirectoryEntry e = entries.get(i);
        assertThat(srv.requests(e.hash().objectPath(ObjectType.FILE)))
            .as("fetches of %s", e.path())
            .isEqualTo(1);
      }
    } finally {
      readers.shutdownNow();
      srv.clearFaults();
    }
  }
}
