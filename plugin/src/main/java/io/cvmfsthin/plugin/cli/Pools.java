package io.cvmfsthin.plugin.cli;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The thread pools the publishing commands make: named daemon threads; the caller shuts down. */
final class Pools {
  private Pools() {}

  /** One thread per CPU for hashing and compressing content, named {@code <prefix>-N}. */
  static ExecutorService content(String prefix) {
    return fixed(prefix, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Threads for the objects' fsyncs, named {@code object-fsync-N}: fsyncs wait on the disk, and
   * many at once let the file system commit them together.
   */
  static ExecutorService fsync() {
    return fixed("object-fsync", 32);
  }

  private static ExecutorService fixed(String prefix, int threads) {
    AtomicInteger count = new AtomicInteger();
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }
}
