package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.prefetch.ChainKey;
import io.cvmfsthin.cvmfs.prefetch.ClientObjectFetch;
import io.cvmfsthin.cvmfs.prefetch.LayerDirs;
import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.cvmfs.prefetch.PrefetchPublication;
import io.cvmfsthin.cvmfs.prefetch.PrefetchRecorder;
import io.cvmfsthin.cvmfs.prefetch.Prefetcher;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recorded prefetch against a real FUSE mount and a loopback stratum: recording through the open
 * hook, replay racing with readers (one fetch per object), bounded replay of a hostile list, and
 * stop.
 */
@Tag("fuse")
@Tag("root")
class PrefetchIT {
  private static final String FQRN = "prefetch.example.org";
  private static final String LAYER = "/.layers/ab/ab12cd/layerfs";
  private static final int FILES = 400;
  private static final int READERS = 8;

  @BeforeAll
  static void capabilities() {
    FuseTests.requireFuseAndRoot();
  }

  private static byte[] big() {
    byte[] big = new byte[24 << 20];
    new Random(7).nextBytes(big);
    return big;
  }

  private static PublishedRepo repo(Path tmp) throws Exception {
    PublishedRepo.Tar tar =
        new PublishedRepo.Tar().dir("usr", 0755).file("usr/big.bin", 0644, 0, big());
    for (int i = 0; i < FILES; i++) {
      tar.file("usr/f" + i + ".txt", content(i));
    }
    PublishedRepo repo = PublishedRepo.create(tmp.resolve("srv"), FQRN, RepositorySettings.DEFAULT);
    repo.publish(LAYER, tar.bytes(), true);
    return repo;
  }

  private static String content(int i) {
    return "file number " + i + " " + "x".repeat(i % 97) + "\n";
  }

  private static LayerDirs dirs() {
    return new LayerDirs(List.of(new ChainKey.Layer(FQRN, LAYER)));
  }

  private static List<String> allPaths() {
    List<String> paths = new ArrayList<>();
    paths.add(LAYER + "/usr/big.bin");
    for (int i = 0; i < FILES; i++) {
      paths.add(LAYER + "/usr/f" + i + ".txt");
    }
    return paths;
  }

  private static RepositoryMount mount(PublishedRepo repo, Path tmp, String name) throws Exception {
    return RepositoryMount.mount(
        repo.settings(tmp.resolve("cache-" + name)).fetch(FuseTests.PATIENT).build(),
        tmp.resolve("mnt-" + name),
        TransportOptions.PLAIN);
  }

  /** Eight readers over every file in their own order; returns the files read right. */
  private static List<Future<Integer>> readers(ExecutorService pool, Path root, String bigSha) {
    List<Future<Integer>> out = new ArrayList<>();
    for (int t = 0; t < READERS; t++) {
      long seed = t;
      out.add(
          pool.submit(
              () -> {
                List<Integer> order = new ArrayList<>();
                for (int i = -1; i < FILES; i++) {
                  order.add(i);
                }
                Collections.shuffle(order, new Random(seed));
                int ok = 0;
                for (int i : order) {
                  Path dir = root.resolve(LAYER.substring(1)).resolve("usr");
                  if (i < 0) {
                    ok += sha256(Files.readAllBytes(dir.resolve("big.bin"))).equals(bigSha) ? 1 : 0;
                  } else {
                    String s = Files.readString(dir.resolve("f" + i + ".txt"));
                    ok += s.equals(content(i)) ? 1 : 0;
                  }
                }
                return ok;
              }));
    }
    return out;
  }

  @Test
  void opensThroughTheMount_areRecordedInOrderOfFirstOpen_onlyBelowTheLayers(@TempDir Path tmp)
      throws Exception {
    try (PublishedRepo repo = repo(tmp);
        RepositoryMount m = mount(repo, tmp, "rec")) {
      PrefetchRecorder recorder =
          new PrefetchRecorder(dirs(), 3, Duration.ofSeconds(60), Clock.systemUTC());
      m.openListener(recorder::opened);
      Path usr = m.mountPoint().resolve(LAYER.substring(1)).resolve("usr");
      Files.readString(usr.resolve("f5.txt"));
      Files.readString(usr.resolve("f2.txt"));
      Files.readString(usr.resolve("f5.txt"));
      Files.readString(usr.resolve("f9.txt"));
      Files.readString(usr.resolve("f1.txt"));
      assertThat(recorder.list().paths())
          .containsExactly(LAYER + "/usr/f5.txt", LAYER + "/usr/f2.txt", LAYER + "/usr/f9.txt");
      assertThat(recorder.isComplete()).isTrue();
    }
  }

  @Test
  void prefetchAndEightReaders_racingOverTheSameFiles_fetchEachObjectOnce(@TempDir Path tmp)
      throws Exception {
    String bigSha = sha256(big());
    try (PublishedRepo repo = repo(tmp);
        RepositoryMount m = mount(repo, tmp, "race")) {
      repo.stratum.clearLog();
      ExecutorService fetchPool = Executors.newFixedThreadPool(8);
      ExecutorService pool = Executors.newFixedThreadPool(READERS);
      try {
        Prefetcher p =
            new Prefetcher(
                Prefetcher.plan(PrefetchList.of(allPaths()), dirs()),
                new ClientObjectFetch(m.client(), fetchPool),
                8);
        p.start();
        for (Future<Integer> f : readers(pool, m.mountPoint(), bigSha)) {
          assertThat(f.get()).isEqualTo(FILES + 1);
        }
        Prefetcher.Counts c = p.done().get(120, TimeUnit.SECONDS);
        assertThat(c.fetched()).isEqualTo(FILES + 1);
        assertThat(c.missing() + c.failed()).isZero();
      } finally {
        pool.shutdownNow();
        fetchPool.shutdownNow();
      }
      Map<String, Long> perObject =
          repo.stratum.requests().stream()
              .filter(r -> r.contains("/data/"))
              .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
      assertThat(perObject.values()).as("requests per object").allMatch(n -> n == 1);
      assertThat(perObject.keySet().stream().filter(r -> r.endsWith("P")).count())
          .as("chunks of big.bin")
          .isGreaterThan(1);
    }
  }

  @Test
  void aListOfAMillionWithMissingAndOutsidePaths_isBounded_andReadersSeeNoError(@TempDir Path tmp)
      throws Exception {
    String bigSha = sha256(big());
    ByteArrayOutputStream text = new ByteArrayOutputStream(80 << 20);
    text.writeBytes((PrefetchList.HEADER + "\n").getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 1_000_000; i++) {
      String line =
          switch (i % 4) {
            case 0 -> LAYER + "/usr/f" + (i / 4) % FILES + ".txt";
            case 1 -> LAYER + "/usr/missing" + i;
            case 2 -> "/etc/outside" + i;
            default -> "/.layers/zz/zz99/layerfs/other" + i;
          };
      text.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    try (PublishedRepo repo = repo(tmp);
        RepositoryMount m = mount(repo, tmp, "million")) {
      repo.stratum.clearLog();
      PrefetchList.Read read = PrefetchList.read(text.toByteArray(), "million");
      text = null;
      assertThat(read.truncated()).isTrue();
      assertThat(read.list().paths()).hasSizeLessThanOrEqualTo(PrefetchList.MAX_ENTRIES);
      List<Prefetcher.Target> plan = Prefetcher.plan(read.list(), dirs());
      assertThat(plan).allMatch(t -> t.path().startsWith(LAYER + "/usr/"));
      ExecutorService fetchPool = Executors.newFixedThreadPool(8);
      ExecutorService pool = Executors.newFixedThreadPool(READERS);
      try {
        Prefetcher p = new Prefetcher(plan, new ClientObjectFetch(m.client(), fetchPool), 8);
        p.start();
        for (Future<Integer> f : readers(pool, m.mountPoint(), bigSha)) {
          assertThat(f.get()).isEqualTo(FILES + 1);
        }
        Prefetcher.Counts c = p.done().get(300, TimeUnit.SECONDS);
        assertThat(c.fetched())
            .as("every existing file once (the list drops repeats)")
            .isEqualTo(FILES);
        assertThat(c.missing()).isEqualTo(plan.size() - FILES).isGreaterThan(10_000);
        assertThat(c.failed()).isZero();
      } finally {
        pool.shutdownNow();
        fetchPool.shutdownNow();
      }
      assertThat(repo.stratum.requests())
          .as("nothing outside the image is asked for")
          .noneMatch(r -> r.contains("outside") || r.contains("other") || r.contains("missing"));
    }
  }

  @Test
  void stop_stopsRequests_apartFromThoseInFlight(@TempDir Path tmp) throws Exception {
    try (PublishedRepo repo = repo(tmp);
        RepositoryMount m = mount(repo, tmp, "stop")) {
      repo.stratum.delay("", 30); // every request takes 30 ms
      repo.stratum.clearLog();
      ExecutorService fetchPool = Executors.newFixedThreadPool(4);
      try {
        Prefetcher p =
            new Prefetcher(
                Prefetcher.plan(PrefetchList.of(allPaths().subList(1, FILES + 1)), dirs()),
                new ClientObjectFetch(m.client(), fetchPool),
                4);
        p.start();
        while (objectRequests(repo) < 20) {
          Thread.sleep(10);
        }
        p.stop();
        long atStop = objectRequests(repo);
        Prefetcher.Counts c = p.done().get(60, TimeUnit.SECONDS);
        assertThat(c.notStarted()).isGreaterThan(0);
        fetchPool.shutdown();
        assertThat(fetchPool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        long afterInFlight = objectRequests(repo);
        Thread.sleep(1000);
        assertThat(objectRequests(repo)).as("requests after stop").isEqualTo(afterInFlight);
        assertThat(afterInFlight)
            .as("at most the ones in flight at stop (4)")
            .isLessThanOrEqualTo(atStop + 4);
      } finally {
        fetchPool.shutdownNow();
        repo.stratum.clearFaults();
      }
    }
  }

  @Test
  void aPublishedList_isReadBackThroughTheClient(@TempDir Path tmp) throws Exception {
    String key = ChainKey.of(dirs().layers());
    PrefetchList list = PrefetchList.of(allPaths().subList(0, 10));
    try (PublishedRepo repo = repo(tmp)) {
      PrefetchPublication.publish(repo.publisher, key, list);
      try (RepositoryMount m = mount(repo, tmp, "pub")) {
        assertThat(PrefetchPublication.read(m.client(), key).list()).isEqualTo(list);
        assertThat(m.mountPoint().resolve(PrefetchList.repositoryPath(key).substring(1)))
            .hasBinaryContent(list.toBytes());
      }
    }
  }

  private static long objectRequests(PublishedRepo repo) {
    return repo.stratum.requests().stream().filter(r -> r.contains("/data/")).count();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
