package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Benchmark (not a test): {@code cvmfs-client/bench/mount-bench.sh [workdir]} prints one table for
 * this machine. Each figure through the FUSE mount is measured beside the same operation on the
 * local source tree in the same run.
 *
 * <ul>
 *   <li>Reads are "warm": the object cache holds the file, but the page cache is dropped ({@code
 *       sync; echo 3 > /proc/sys/vm/drop_caches}) before each measurement, FUSE and local alike.
 *   <li>stat: a first pass on a fresh mount (the daemon answers each path; the catalog is in the
 *       object cache; the JVM is warmed on another mount first) and a second pass right after it
 *       (the kernel's dentry and attribute caches answer), for existing and missing paths.
 *   <li>The cold read starts from an empty object cache and fetches over loopback HTTP.
 * </ul>
 *
 * <p>Each figure is also printed as a {@code RESULT <key> <value>} line on stderr, which {@code
 * mount-bench-vs-base.sh} collects to compare two builds run alternately. Settings (system
 * properties): {@code bench.bigBytes}, {@code bench.statFiles} (a multiple of 1,000), {@code
 * bench.smallFiles}, {@code bench.randomReads}, {@code bench.rows} (any of {@code
 * seq,random,stat,cold}), {@code bench.transports} (FUSE transports measured one after another,
 * default {@code libfuse}; e.g. {@code libfuse,kernel}).
 */
public final class MountBenchmark {
  static final long BIG = Long.getLong("bench.bigBytes", 1L << 30);
  static final int STAT_FILES = Integer.getInteger("bench.statFiles", 20_000);
  static final int SMALL = Integer.getInteger("bench.smallFiles", 1000);
  static final int RANDOM_READS = Integer.getInteger("bench.randomReads", 20_000);
  static final Set<String> ROWS =
      Set.of(System.getProperty("bench.rows", "seq,random,stat,cold").split(","));
  private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

  private static String transport = "libfuse"; // of the rows being measured

  private MountBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("cvmfs-thin-bench");
    Path src = work.resolve("src");
    List<String[]> rows = new ArrayList<>();
    boolean reads = ROWS.contains("seq") || ROWS.contains("random");
    try {
      System.err.println("writing the source tree in " + src);
      makeTree(src, reads);
      System.err.println("publishing it");
      try (PublishedRepo repo =
          PublishedRepo.create(
              work.resolve("srv"), "bench.example.org", RepositorySettings.DEFAULT)) {
        repo.publisher.publish(Publication.directory("/", src));
        for (String t : BenchTransports.list()) {
          transport = t;
          Path cache = work.resolve("cache-" + transport);
          String mib = String.format(Locale.ROOT, "%,d MiB file", BIG >> 20);
          if (reads) {
            // fill the object cache with big.bin
            try (RepositoryMount m = mount(repo, cache, work)) {
              readSequential(m.mountPoint().resolve("big.bin"));
            }
          }
          if (ROWS.contains("seq")) {
            try (RepositoryMount m = mount(repo, cache, work)) {
              dropCaches();
              double fuse = readSequential(m.mountPoint().resolve("big.bin"));
              dropCaches();
              double local = readSequential(src.resolve("big.bin"));
              rows.add(row("seq", "1 MiB sequential reads, " + mib + " (MiB/s)", fuse, local));
            }
          }
          if (ROWS.contains("random")) {
            try (RepositoryMount m = mount(repo, cache, work)) {
              dropCaches();
              double fuse = readRandom(m.mountPoint().resolve("big.bin"));
              dropCaches();
              double local = readRandom(src.resolve("big.bin"));
              rows.add(row("random", "4 KiB random reads, " + mib + " (reads/s)", fuse, local));
            }
          }
          if (ROWS.contains("stat")) {
            statRows(repo, cache, work, src, rows);
          }
          if (ROWS.contains("cold")) {
            Path coldCache = work.resolve("cold-cache-" + transport);
            try (RepositoryMount m = mount(repo, coldCache, work)) {
              double fuse = readSmall(m.mountPoint());
              double local = readSmall(src);
              rows.add(
                  row(
                      "cold",
                      String.format(
                          Locale.ROOT,
                          "cold read of %,d small files, loopback HTTP (files/s)",
                          SMALL),
                      fuse,
                      local));
              System.err.println("counters of the cold mount:\n" + m.counters());
            }
          }
        }
      }
      print(rows);
    } finally {
      if (args.length == 0) {
        delete(work);
      }
    }
  }

  private static void statRows(
      PublishedRepo repo, Path cache, Path work, Path src, List<String[]> rows) throws IOException {
    // warm the JIT (and put the catalog into the object cache) on a mount of its own
    try (RepositoryMount m = mount(repo, cache, work)) {
      stat(m.mountPoint(), false);
      stat(m.mountPoint(), true);
    }
    String n = String.format(Locale.ROOT, "%,d", STAT_FILES);
    stat(src, false); // the local baseline is the second pass (dentries cached), as for FUSE
    double localExisting = stat(src, false);
    stat(src, true);
    double localMissing = stat(src, true);
    try (RepositoryMount m = mount(repo, cache, work)) {
      double first = stat(m.mountPoint(), false);
      double second = stat(m.mountPoint(), false);
      rows.add(
          row(
              "stat-existing-first",
              "stat, " + n + " existing paths, first pass (stats/s)",
              first,
              localExisting));
      rows.add(
          row(
              "stat-existing-second",
              "stat, " + n + " existing paths, second pass (stats/s)",
              second,
              localExisting));
      System.err.println("counters after the existing paths:\n" + m.counters());
    }
    try (RepositoryMount m = mount(repo, cache, work)) {
      double first = stat(m.mountPoint(), true);
      double second = stat(m.mountPoint(), true);
      rows.add(
          row(
              "stat-missing-first",
              "stat, " + n + " missing paths, first pass (stats/s)",
              first,
              localMissing));
      rows.add(
          row(
              "stat-missing-second",
              "stat, " + n + " missing paths, second pass (stats/s)",
              second,
              localMissing));
      System.err.println("counters after the missing paths:\n" + m.counters());
    }
  }

  static RepositoryMount mount(PublishedRepo repo, Path cache, Path work) throws IOException {
    return RepositoryMount.mount(
        repo.settings(cache).quotaBytes(4L << 30).build(),
        work.resolve("mnt"),
        BenchTransports.plain(transport));
  }

  static void makeTree(Path src, boolean big) throws IOException {
    Files.createDirectories(src);
    Random r = new Random(1);
    if (big) {
      byte[] block = new byte[1 << 20];
      try (OutputStream out = Files.newOutputStream(src.resolve("big.bin"))) {
        for (long n = 0; n < BIG; n += block.length) {
          r.nextBytes(block);
          out.write(block);
        }
      }
    }
    for (int d = 0; d < STAT_FILES / 1000; d++) {
      Path dir = Files.createDirectories(src.resolve("stat/d" + d));
      for (int i = 0; i < 1000; i++) {
        Files.createFile(dir.resolve("f" + i));
      }
    }
    Path small = Files.createDirectories(src.resolve("small"));
    for (int i = 0; i < SMALL; i++) {
      Files.writeString(small.resolve("s" + i + ".txt"), "small file " + i + " " + r.nextLong());
    }
  }

  /** Writes dirty pages back and drops the page, dentry and inode caches (needs root). */
  static void dropCaches() throws IOException {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted in sync", e);
    }
    Files.writeString(DROP_CACHES, "3", StandardCharsets.US_ASCII);
  }

  static double readSequential(Path f) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    long t0 = System.nanoTime();
    long total = 0;
    try (FileChannel ch = FileChannel.open(f)) {
      int n;
      while ((n = ch.read(buf.clear())) > 0) {
        total += n;
      }
    }
    return total / 1048576.0 / seconds(t0);
  }

  static double readRandom(Path f) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(4096);
    Random r = new Random(7);
    long blocks = BIG / 4096;
    long t0 = System.nanoTime();
    try (FileChannel ch = FileChannel.open(f)) {
      for (int i = 0; i < RANDOM_READS; i++) {
        ch.read(buf.clear(), (Math.floorMod(r.nextLong(), blocks)) * 4096);
      }
    }
    return RANDOM_READS / seconds(t0);
  }

  static double stat(Path root, boolean missing) {
    long t0 = System.nanoTime();
    int found = 0;
    for (int d = 0; d < STAT_FILES / 1000; d++) {
      for (int i = 0; i < 1000; i++) {
        Path p = root.resolve("stat/d" + d + "/" + (missing ? "m" : "f") + i);
        try {
          Files.readAttributes(p, BasicFileAttributes.class);
          found++;
        } catch (IOException e) {
          // missing
        }
      }
    }
    if (found != (missing ? 0 : STAT_FILES / 1000 * 1000)) {
      throw new IllegalStateException(root + ": found " + found);
    }
    return STAT_FILES / 1000 * 1000 / seconds(t0);
  }

  static double readSmall(Path root) throws IOException {
    long t0 = System.nanoTime();
    for (int i = 0; i < SMALL; i++) {
      Files.readAllBytes(root.resolve("small/s" + i + ".txt"));
    }
    return SMALL / seconds(t0);
  }

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static String[] row(String key, String what, double fuse, double local) {
    System.err.printf(
        Locale.ROOT,
        "RESULT %s%s %.1f %.1f%n",
        key,
        BenchTransports.suffix(transport),
        fuse,
        local);
    return new String[] {
      what + " [" + transport + "]",
      String.format(Locale.ROOT, "%,.0f", fuse),
      String.format(Locale.ROOT, "%,.0f", local),
      String.format(Locale.ROOT, "%.2f", fuse / local)
    };
  }

  static void print(List<String[]> rows) {
    System.out.println("| measurement | cvmfs-thin FUSE | local disk, same run | ratio |");
    System.out.println("| --- | ---: | ---: | ---: |");
    for (String[] r : rows) {
      System.out.println("| " + String.join(" | ", r) + " |");
    }
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
