package io.cvmfsthin.cvmfs.client;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Benchmark helper (not a test), run by {@code bench/cat-vs-curl.sh}: reads one file of a
 * repository as {@code cat} does, timed inside the JVM so that its start is excluded: {@code url
 * keyFile cacheDir fqrn path}. Prints {@code open SECONDS} (trust chain and root catalog), then
 * {@code cold SECONDS} (empty cache) and {@code warm SECONDS} (the same client again).
 */
public final class CatTiming {
  private CatTiming() {}

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    try (RepositoryClient c =
        RepositoryClient.open(
            ClientSettings.builder(args[3])
                .serverUrls(args[0])
                .masterKeys(Path.of(args[1]))
                .cacheDir(Path.of(args[2]))
                .build())) {
      System.out.println(String.format(Locale.ROOT, "open %.3f", (System.nanoTime() - t0) / 1e9));
      for (String round : new String[] {"cold", "warm"}) {
        long t = System.nanoTime();
        try (InputStream in = c.open(args[4])) {
          in.transferTo(OutputStream.nullOutputStream());
        }
        System.out.println(
            String.format(Locale.ROOT, "%s %.3f", round, (System.nanoTime() - t) / 1e9));
      }
    }
  }
}
