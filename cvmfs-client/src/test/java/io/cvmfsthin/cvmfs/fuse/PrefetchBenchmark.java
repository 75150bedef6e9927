package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.prefetch.ChainKey;
import io.cvmfsthin.cvmfs.prefetch.ClientObjectFetch;
import io.cvmfsthin.cvmfs.prefetch.LayerDirs;
import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.cvmfs.prefetch.PrefetchRecorder;
import io.cvmfsthin.cvmfs.prefetch.Prefetcher;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a test): {@code cvmfs-client/bench/prefetch-bench.sh [workdir]}. Issue 12's cold
 * row: 1,000 files of 20-40 KB read one after another through a FUSE mount, every request delayed
 * by {@code bench.delayMs} (10) ms on a loopback stratum, each run on an empty object cache. First
 * without a list (the baseline, and the serial bound files x delay beside it), then with the list
 * recorded by that first run (on another cache) replayed by {@link Prefetcher} while the same reads
 * run. Prints a Markdown table with the ratios.
 */
public final class PrefetchBenchmark {
  static final int FILES = Integer.getInteger("bench.files", 1000);
  static final long DELAY_MS = Long.getLong("bench.delayMs", 10);
  static final String LAYER = "/.layers/be/bench/layerfs";

  private PrefetchBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("prefetch-bench");
    PublishedRepo.Tar tar = new PublishedRepo.Tar().dir("files", 0755);
    Random random = new Random(12);
    for (int i = 0; i < FILES; i++) {
      byte[] b = new byte[20_000 + random.nextInt(20_000)];
      random.nextBytes(b);
      tar.file("files/f" + i, 0644, 0, b);
    }
    LayerDirs dirs = new LayerDirs(List.of(new ChainKey.Layer("bench.example.org", LAYER)));
    List<String[]> rows = new ArrayList<>();
    try (PublishedRepo repo =
        PublishedRepo.create(
            work.resolve("srv"), "bench.example.org", RepositorySettings.DEFAULT)) {
      repo.publish(LAYER, tar.bytes(), true);
      repo.stratum.delay("", DELAY_MS);
      double serialBound = FILES * DELAY_MS / 1000.0;
      PrefetchList list;
      double noList;
      try (RepositoryMount m = mount(repo, work, "nolist")) {
        PrefetchRecorder recorder =
            new PrefetchRecorder(
                dirs, PrefetchList.MAX_ENTRIES, Duration.ofHours(1), Clock.systemUTC());
        m.openListener(recorder::opened);
        noList = readAll(m);
        list = recorder.list();
      }
      rows.add(row("no list (baseline)", noList, noList, serialBound));
      for (int parallel : new int[] {8, 16, 32}) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try (RepositoryMount m = mount(repo, work, "list" + parallel)) {
          long t0 = System.nanoTime();
          Prefetcher p =
              new Prefetcher(
                  Prefetcher.plan(list, dirs), new ClientObjectFetch(m.client(), pool), parallel);
          p.start();
          double s = readAll(m);
          p.done().get(10, TimeUnit.MINUTES);
          rows.add(
              row("list recorded elsewhere, " + parallel + " in flight", s, noList, serialBound));
          System.err.printf(
              "parallel %d: reads %.2f s, prefetch done after %.2f s%n",
              parallel, s, (System.nanoTime() - t0) / 1e9);
        } finally {
          pool.shutdownNow();
        }
      }
    }
    System.out.printf(
        "%n%d files of 20-40 KB read one after another, %d ms per request, empty cache each run%n%n",
        FILES, DELAY_MS);
    System.out.println(
        "| run | seconds | ÷ no list | ÷ serial bound (" + FILES + " × " + DELAY_MS + " ms) |");
    System.out.println("|---|---|---|---|");
    rows.forEach(r -> System.out.println("| " + String.join(" | ", r) + " |"));
  }

  private static RepositoryMount mount(PublishedRepo repo, Path work, String name)
      throws Exception {
    return RepositoryMount.mount(
        repo.settings(work.resolve("cache-" + name))
            .fetch(
                new io.cvmfsthin.cvmfs.fetch.FetchSettings(
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(60),
                    1,
                    Duration.ZERO,
                    Duration.ZERO))
            .build(),
        work.resolve("mnt-" + name),
        MountOptions.PLAIN);
  }

  /** Reads every file once, in order; seconds taken. */
  private static double readAll(RepositoryMount m) throws Exception {
    Path dir = m.mountPoint().resolve(LAYER.substring(1)).resolve("files");
    long t0 = System.nanoTime();
    for (int i = 0; i < FILES; i++) {
      Files.readAllBytes(dir.resolve("f" + i));
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String[] row(String name, double s, double noList, double bound) {
    return new String[] {
      name,
      String.format(Locale.ROOT, "%.2f", s),
      String.format(Locale.ROOT, "%.2f", s / noList),
      String.format(Locale.ROOT, "%.2f", s / bound)
    };
  }
}
