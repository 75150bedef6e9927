package io.cvmfsthin.plugin;

import io.cvmfsthin.driver.GraphDriver;
import io.cvmfsthin.plugin.protocol.PluginApi;
import io.cvmfsthin.plugin.server.PluginServer;
import java.nio.file.Path;
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
      names = "--workers",
      defaultValue = "32",
      description = "Threads for driver calls (default: ${DEFAULT-VALUE}).")
  int workers;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    ThreadPoolExecutor pool = newWorkers(workers);
    CvmfsRepositories repositories = new CvmfsRepositories(stateDir, configDir, System.getenv());
    GraphDriver driver = new GraphDriver(repositories);
    DriverBackend backend = new DriverBackend(driver, stateDir);
    PluginServer server = PluginServer.start(socket, new PluginApi(backend), backend, pool);
    log.info("listening {} ms after start", (System.nanoTime() - t0) / 1_000_000);
    backend.restore();

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
