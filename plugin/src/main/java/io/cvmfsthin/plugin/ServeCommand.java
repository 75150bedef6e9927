package io.cvmfsthin.plugin;

import io.cvmfsthin.driver.GraphDriver;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.commit.LocalCommitPublisher;
import io.cvmfsthin.plugin.protocol.PluginApi;
import io.cvmfsthin.plugin.server.PluginServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code serve}: the graph-driver plugin process. Binds the socket first (dockerd gives up after
 * about 9.5 s), then restores the driver's state, then serves until SIGTERM, when it stops
 * accepting, lets running calls finish for a few seconds and releases its CVMFS mounts. Overlay
 * mounts of running containers stay: dockerd has put them before it stops the plugin (spec §12.4).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the Docker graph-driver plugin (the Entrypoint of config.json).")
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(
      names = "--socket",
      defaultValue = "/run/docker/plugins/cvmfs-thin.sock",
      description = "Unix socket to listen on (default: ${DEFAULT-VALUE}).")
  Path socket;

  @Option(
      names = "--state",
      defaultValue = "/data/.cvmfs-thin",
      description =
          "Directory for state that must survive a plugin restart, inside the PropagatedMount"
              + " (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(
      names = "--cvmfs-config",
      defaultValue = "${env:CVMFS_CONFIG_DIR:-/etc/cvmfs}",
      description =
          "CernVM-FS configuration directory: default.conf, config.d/, keys/ (default:"
              + " ${DEFAULT-VALUE}).")
  Path configDir;

  @Option(
      names = "--publish-repository",
      defaultValue = "${env:PUBLISH_REPOSITORY:-}",
      description =
          "Publish containers committed above thin images into this repository, so that the"
              + " committed images are thin too; empty: commits are ordinary layers (default:"
              + " $PUBLISH_REPOSITORY).")
  String publishRepository;

  @Option(
      names = "--publish-storage",
      defaultValue = "${env:PUBLISH_STORAGE:-/publish/stratum}",
      description =
          "Stratum 0 storage: the repository is <storage>/<fqrn> (default: ${DEFAULT-VALUE}).")
  Path publishStorage;

  @Option(
      names = "--publish-keys",
      defaultValue = "${env:PUBLISH_KEYS:-/publish/keys}",
      description = "The repository's keys, <fqrn>.crt/.key/.pub (default: ${DEFAULT-VALUE}).")
  Path publishKeys;

  @Option(
      names = "--publish-wait",
      defaultValue = "${env:PUBLISH_WAIT:-60}",
      description =
          "Seconds a commit waits for this host's client to see what it published"
              + " (default: ${DEFAULT-VALUE}).")
  long publishWaitSeconds;

  @Option(
      names = "--exit-after-start",
      hidden = true,
      description = "Start, then stop at once (class-loading run for the CDS archive).")
  boolean exitAfterStart;

  @Option(
      names = "--workers",
      defaultValue = "32",
      description = "Threads for driver calls (default: ${DEFAULT-VALUE}).")
  int workers;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    ThreadPoolExecutor pool = newWorkers(workers);
    // Bind first: dockerd gives up on a plugin that does not listen within about 9.5 s, and
    // calls that arrive before the driver is ready wait for it.
    DriverBackend backend = new DriverBackend(stateDir);
    PluginServer server = PluginServer.start(socket, new PluginApi(backend), backend, pool);
    log.info("listening {} ms after start", (System.nanoTime() - t0) / 1_000_000);
    CvmfsRepositories repositories = new CvmfsRepositories(stateDir, configDir, System.getenv());
    backend.start(new GraphDriver(repositories, commitPublisher(), publishWait()));
    if (exitAfterStart) {
      server.close();
      pool.shutdown();
      repositories.close();
      return 0;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch shutdownDone = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("SIGTERM: shutting down");
                  stopped.countDown();
                  try {
                    shutdownDone.await(5, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "shutdown"));
    stopped.await();
    try {
      server.close();
      pool.shutdown();
      if (!pool.awaitTermination(3, TimeUnit.SECONDS)) {
        log.warn("{} driver calls still running at shutdown", pool.getActiveCount());
        pool.shutdownNow();
      }
      repositories.close();
      log.info("plugin stopped");
    } finally {
      shutdownDone.countDown();
    }
    return 0;
  }

  private CommitPublisher commitPublisher() {
    if (publishRepository == null || publishRepository.isBlank()) {
      log.info("commits above thin images: ordinary layers (no PUBLISH_REPOSITORY)");
      return null;
    }
    LocalCommitPublisher p =
        new LocalCommitPublisher(
            publishStorage, publishKeys, publishRepository.strip(), Clock.systemUTC());
    log.info(
        "commits above thin images: published into {} at {} (keys {}), visible within {} s",
        p.fqrn(),
        p.repositoryDirectory(),
        publishKeys,
        publishWaitSeconds);
    return p;
  }

  private Duration publishWait() {
    if (publishWaitSeconds < 1) {
      throw new IllegalArgumentException(
          "PUBLISH_WAIT must be at least 1 second, not " + publishWaitSeconds);
    }
    return Duration.ofSeconds(publishWaitSeconds);
  }

  private static ThreadPoolExecutor newWorkers(int n) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            n,
            n,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024),
            r -> {
              Thread t = new Thread(r, "driver-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
