package io.cvmfsthin.plugin;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the long-running commands ({@code serve}, {@code snapshotter}) stop: the calling thread waits
 * until the JVM begins to shut down (SIGTERM from dockerd, containerd's service manager or a
 * person), then runs the command's own stop steps, while the shutdown hook holds the JVM open for
 * at most a grace period so those steps can finish (sockets closed, running calls drained, CVMFS
 * mounts released).
 */
final class Shutdown {
  private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

  /** The command's stop steps, run once on the waiting thread. */
  @FunctionalInterface
  interface Steps {
    void run() throws Exception;
  }

  private Shutdown() {}

  /**
   * Blocks until the JVM shuts down, then runs {@code steps}; the JVM exits when they end or after
   * {@code grace}, whichever comes first.
   */
  static void awaitThen(String what, Duration grace, Steps steps) throws Exception {
    CountDownLatch stopping = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("{}: SIGTERM, shutting down", what);
                  stopping.countDown();
                  try {
                    stopped.await(grace.toMillis(), TimeUnit.MILLISECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "shutdown"));
    stopping.await();
    try {
      steps.run();
      log.info("{} stopped", what);
    } finally {
      stopped.countDown();
    }
  }
}
