package io.cvmfsthin.plugin;

import io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient;
import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.driver.GraphDriver;
import io.cvmfsthin.driver.Host;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.commit.LocalCommitPublisher;
import io.cvmfsthin.plugin.metrics.Metrics;
import io.cvmfsthin.plugin.metrics.MetricsOption;
import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import io.cvmfsthin.plugin.protocol.PluginApi;
import io.cvmfsthin.plugin.server.PluginServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
      names = "--prefetch-record-seconds",
      defaultValue = "${env:PREFETCH_RECORD_SECONDS:-60}",
      description =
          "Recorded prefetch: how long after a thin image's first container starts its opened"
              + " files are recorded (default: ${DEFAULT-VALUE}).")
  long prefetchRecordSeconds;

  @Option(
      names = "--prefetch-record-files",
      defaultValue = "${env:PREFETCH_RECORD_FILES:-10000}",
      description =
          "Recorded prefetch: at most this many files are recorded, 1..100000"
              + " (default: ${DEFAULT-VALUE}).")
  int prefetchRecordFiles;

  @Option(
      names = "--prefetch-parallel",
      defaultValue = "${env:PREFETCH_PARALLEL:-16}",
      description =
          "Recorded prefetch: files fetched at once while a list is replayed, 0..64; 0 turns"
              + " recording and replay off (default: ${DEFAULT-VALUE}).")
  int prefetchParallel;

  @Mixin MetricsOption metricsOption;

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
    Metrics metrics = metricsOption.start(); // a bad address fails before anything else starts
    ThreadPoolExecutor pool = newWorkers(workers);
    // Bind first: dockerd gives up on a plugin that does not listen within about 9.5 s, and
    // calls that arrive before the driver is ready wait for it.
    DriverBackend backend = new DriverBackend(stateDir);
    GraphDriverBackend metered = metrics.meter(backend);
    PluginServer server = PluginServer.start(socket, new PluginApi(metered), metered, pool);
    log.info("listening {} ms after start", (System.nanoTime() - t0) / 1_000_000);
    CvmfsRepositories repositories =
        new CvmfsRepositories(
            stateDir,
            configDir,
            System.getenv(),
            metrics.client(),
            SupervisorClient.fromEnvironment(System.getenv()));
    repositories.takeOverSupervisedMounts();
    PrefetchExecutors prefetch = prefetch(repositories, metrics);
    backend.start(new GraphDriver(Host.linux(), repositories, commitPublisher(), publishWait()));
    if (exitAfterStart) {
      server.close();
      pool.shutdown();
      repositories.close();
      prefetch.close();
      metrics.close();
      return 0;
    }

    Shutdown.awaitThen(
        "plugin",
        Duration.ofSeconds(5),
        () -> {
          server.close();
          pool.shutdown();
          if (!pool.awaitTermination(3, TimeUnit.SECONDS)) {
            log.warn("{} driver calls still running at shutdown", pool.getActiveCount());
            pool.shutdownNow();
          }
          repositories.close();
          prefetch.close();
          metrics.close();
        });
    return 0;
  }

  /** The executors of recorded prefetch, shut down after the repositories are closed. */
  private record PrefetchExecutors(ExecutorService fetch, ScheduledExecutorService control) {
    void close() {
      if (control != null) {
        control.shutdownNow();
        fetch.shutdownNow();
      }
    }
  }

  private PrefetchExecutors prefetch(CvmfsRepositories repositories, Metrics metrics) {
    if (prefetchParallel < 0 || prefetchParallel > 64) {
      throw new IllegalArgumentException(
          "PREFETCH_PARALLEL must be 0..64, not " + prefetchParallel);
    }
    if (prefetchRecordSeconds < 1) {
      throw new IllegalArgumentException(
          "PREFETCH_RECORD_SECONDS must be at least 1, not " + prefetchRecordSeconds);
    }
    if (prefetchRecordFiles < 1 || prefetchRecordFiles > PrefetchList.MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "PREFETCH_RECORD_FILES must be 1.."
              + PrefetchList.MAX_ENTRIES
              + ", not "
              + prefetchRecordFiles);
    }
    if (prefetchParallel == 0) {
      log.info("recorded prefetch: off (PREFETCH_PARALLEL=0)");
      return new PrefetchExecutors(null, null);
    }
    ExecutorService fetch =
        Executors.newFixedThreadPool(prefetchParallel, named("prefetch-fetch-"));
    ScheduledExecutorService control =
        Executors.newSingleThreadScheduledExecutor(named("prefetch-control-"));
    PrefetchListPublisher publisher =
        publishRepository == null || publishRepository.isBlank()
            ? null
            : PrefetchListPublisher.local(
                publishStorage, publishKeys, publishRepository.strip(), Clock.systemUTC());
    repositories.prefetch(
        new ImagePrefetch(
            stateDir.resolve("prefetch"),
            repositories::client,
            fetch,
            control,
            publisher,
            Clock.systemUTC(),
            Duration.ofSeconds(prefetchRecordSeconds),
            prefetchRecordFiles,
            prefetchParallel,
            ImagePrefetch.LINGER,
            metrics.prefetch()));
    log.info(
        "recorded prefetch: lists in {}, recording {} s or {} files, replay {} at once{}",
        stateDir.resolve("prefetch"),
        prefetchRecordSeconds,
        prefetchRecordFiles,
        prefetchParallel,
        publisher == null ? "" : ", recorded lists published into " + publishRepository.strip());
    return new PrefetchExecutors(fetch, control);
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private CommitPublisher commitPublisher() {
    if (publishRepository == null || publishRepository.isBlank()) {
      log.info("commits above thin images: ordinary layers (no PUBLISH_REPOSITORY)");
      return CommitPublisher.NONE;
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
