package io.cvmfsthin.cvmfs.cache;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Benchmark (not a test): the cache's share of a cold small-file open, without network or FUSE.
 * {@code N} zlib objects of 20-40 KB (random bytes, as ColdReadBenchmark's) are stored one after
 * another with {@link ObjectCache#put} into an empty cache, in rounds, each round into a fresh
 * cache; printed: microseconds per object (the median round) beside copying the same inflated bytes
 * to a new file of the same directory with plain {@code Files.write} in the same run. Run with the
 * test classpath: {@code java -cp ... io.cvmfsthin.cvmfs.cache.CachePutBenchmark}; {@code
 * -Dbench.objects=1000 -Dbench.rounds=5}. Its RESULT line feeds a base-vs-head comparison.
 */
public final class CachePutBenchmark {
  static final int OBJECTS = Integer.getInteger("bench.objects", 1000);
  static final int ROUNDS = Integer.getInteger("bench.rounds", 5);

  private CachePutBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("cvmfs-thin-put-bench");
    try {
      Random random = new Random(1);
      List<byte[]> contents = new ArrayList<>();
      List<byte[]> stored = new ArrayList<>();
      List<ContentHash> hashes = new ArrayList<>();
      for (int i = 0; i < OBJECTS; i++) {
        byte[] b = new byte[20_000 + random.nextInt(20_001)];
        random.nextBytes(b);
        byte[] z = Zlib.compress(b);
        contents.add(b);
        stored.add(z);
        hashes.add(HashAlgorithm.SHA1.hash(z));
      }
      List<Double> put = new ArrayList<>();
      List<Double> plain = new ArrayList<>();
      for (int r = 0; r < ROUNDS; r++) {
        Path root = work.resolve("cache-" + r);
        try (ObjectCache cache = ObjectCache.open(root, 0)) {
          long t0 = System.nanoTime();
          for (int i = 0; i < OBJECTS; i++) {
            byte[] b = contents.get(i);
            cache.put(
                hashes.get(i),
                ObjectType.FILE,
                Compression.ZLIB,
                b.length,
                b.length,
                new ByteArrayInputStream(stored.get(i)),
                "object " + i);
          }
          put.add((System.nanoTime() - t0) / 1e3 / OBJECTS);
        }
        Path dir = Files.createDirectories(work.resolve("plain-" + r));
        long t0 = System.nanoTime();
        for (int i = 0; i < OBJECTS; i++) {
          Files.write(dir.resolve("f" + i), contents.get(i));
        }
        plain.add((System.nanoTime() - t0) / 1e3 / OBJECTS);
      }
      double p = median(put);
      double w = median(plain);
      System.err.printf(Locale.ROOT, "RESULT cache_put_us %.1f %.1f%n", p, w);
      System.out.printf(
          Locale.ROOT,
          "%,d objects of 20-40 KB, median of %d rounds, load %s%n",
          OBJECTS,
          ROUNDS,
          Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
      System.out.println("| measurement | µs per object | ÷ plain write |");
      System.out.println("| --- | ---: | ---: |");
      System.out.printf(
          Locale.ROOT,
          "| ObjectCache.put (inflate, hash, CRC, rename) | %.1f | %.2f |%n",
          p,
          p / w);
      System.out.printf(Locale.ROOT, "| Files.write of the inflated bytes | %.1f | 1.00 |%n", w);
    } finally {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }
}
