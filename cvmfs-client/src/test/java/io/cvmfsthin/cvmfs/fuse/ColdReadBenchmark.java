package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Benchmark (not a test): {@code cvmfs-client/bench/cold-read.sh [workdir]}. {@code N} files of 20
 * to 40 KB (random bytes) are read one after another through a fresh FUSE mount with an empty
 * cache, from a loopback stratum that holds every HTTP request back by {@code D} ms (no prefetch
 * list, so each file costs one request). Printed beside baselines measured in the same run: the
 * serial bound N × D, the same N objects fetched one after another with plain keep-alive HTTP (the
 * floor of any client that fetches one file at a time) and the files read from local disk. Sizes
 * via {@code -Dbench.files=1000 -Dbench.delayMs=10} in BENCH_OPTS; profile with {@code
 * -XX:StartFlightRecording=filename=cold.jfr} there too.
 */
public final class ColdReadBenchmark {
  static final int FILES = Integer.getInteger("bench.files", 1000);
  static final long DELAY_MS = Long.getLong("bench.delayMs", 10);

  private ColdReadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work =
        args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("cvmfs-thin-cold-bench");
    Path src = work.resolve("src");
    List<String[]> rows = new ArrayList<>();
    try {
      Random random = new Random(1);
      Files.createDirectories(src.resolve("small"));
      for (int i = 0; i < FILES; i++) {
        byte[] b = new byte[20_000 + random.nextInt(20_001)];
        random.nextBytes(b);
        Files.write(src.resolve("small/f" + i), b);
      }
      try (PublishedRepo repo =
          PublishedRepo.create(
              work.resolve("srv"), "coldbench.example.org", RepositorySettings.DEFAULT)) {
        repo.publisher.publish(Publication.directory("/", src));
        List<String> urls = new ArrayList<>();
        try (RepositoryClient c =
            RepositoryClient.open(repo.settings(work.resolve("list-cache")).build())) {
          String base = repo.stratum.url(repo.fqrn) + "/";
          for (int i = 0; i < FILES; i++) {
            DirectoryEntry e = c.lookup("/small/f" + i);
            urls.add(base + e.hash().objectPath(ObjectType.FILE));
          }
        }
        repo.stratum.delay("", DELAY_MS);
        double bound = FILES * DELAY_MS / 1000.0;

        long t0 = System.nanoTime();
        for (String u : urls) {
          get(u);
        }
        double http = seconds(t0);

        List<String[]> fuseRows = new ArrayList<>();
        for (String transport : BenchTransports.list()) {
          double fuse;
          try (RepositoryMount m =
              RepositoryMount.mount(
                  repo.settings(work.resolve("cold-cache-" + transport)).build(),
                  work.resolve("mnt"),
                  BenchTransports.plain(transport))) {
            t0 = System.nanoTime();
            for (int i = 0; i < FILES; i++) {
              Files.readAllBytes(m.mountPoint().resolve("small/f" + i));
            }
            fuse = seconds(t0);
            System.err.println("counters of the cold mount:\n" + m.counters());
          }
          // for bench/cold-read-vs-base.sh: seconds through FUSE and by plain HTTP, on stderr
          System.err.printf(
              Locale.ROOT,
              "RESULT cold_fuse_vs_http%s %.3f %.3f%n",
              BenchTransports.suffix(transport),
              fuse,
              http);
          fuseRows.add(
              row(
                  "FUSE (" + transport + "), cold cache, one file after another",
                  fuse,
                  bound,
                  http));
        }

        t0 = System.nanoTime();
        for (int i = 0; i < FILES; i++) {
          Files.readAllBytes(src.resolve("small/f" + i));
        }
        double local = seconds(t0);

        rows.addAll(fuseRows);
        rows.add(row("plain HTTP GET of the same objects, keep-alive", http, bound, http));
        rows.add(row("serial bound (files × delay)", bound, bound, http));
        rows.add(row("local disk (page cache)", local, bound, http));
      }
      System.out.printf(
          Locale.ROOT,
          "%,d files of 20-40 KB, %d ms per HTTP request, load %s%n",
          FILES,
          DELAY_MS,
          Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
      System.out.println("| measurement | seconds | ÷ serial bound | ÷ plain HTTP |");
      System.out.println("| --- | ---: | ---: | ---: |");
      for (String[] r : rows) {
        System.out.println("| " + String.join(" | ", r) + " |");
      }
    } finally {
      if (args.length == 0) {
        delete(work);
      }
    }
  }

  static void get(String url) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
    if (c.getResponseCode() != 200) {
      throw new IOException(url + ": HTTP " + c.getResponseCode());
    }
    try (InputStream in = c.getInputStream()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static String[] row(String what, double s, double bound, double http) {
    return new String[] {
      what,
      String.format(Locale.ROOT, "%.2f", s),
      String.format(Locale.ROOT, "%.2f", s / bound),
      String.format(Locale.ROOT, "%.2f", s / http)
    };
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
