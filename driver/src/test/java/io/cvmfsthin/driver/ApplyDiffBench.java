package io.cvmfsthin.driver;

import io.cvmfsthin.driver.commit.CommitPublisher;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Benchmark entry point used by {@code driver/bench/apply-bench.sh}: init a store, create a layer
 * and time applyDiff of one tar (read from disk, streamed). Prints {@code applydiff_ms=<ms>
 * size=<bytes>}. Not a test; speed is never asserted.
 */
public final class ApplyDiffBench {
  private ApplyDiffBench() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    Path tar = Path.of(args[1]);
    GraphDriver driver =
        new GraphDriver(Host.linux(), RepositoryMounts.NONE, CommitPublisher.NONE, Duration.ZERO);
    driver.init(home, List.of());
    for (int i = 0; i < Integer.getInteger("bench.warmups", 0); i++) {
      String warm = String.format("%064d", i); // a long-running plugin has a warm JIT
      driver.create(CreateRequest.of(warm, ""));
      try (InputStream in = new BufferedInputStream(Files.newInputStream(tar), 1 << 16)) {
        driver.applyDiff(warm, "", in);
      }
      driver.remove(warm);
    }
    String id = "b".repeat(64);
    driver.create(CreateRequest.of(id, ""));
    long start = System.nanoTime();
    long size;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(tar), 1 << 16)) {
      size = driver.applyDiff(id, "", in);
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println("applydiff_ms=" + ms + " size=" + size);
  }
}
