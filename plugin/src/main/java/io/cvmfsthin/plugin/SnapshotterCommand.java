package io.cvmfsthin.plugin;

import io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient;
import io.cvmfsthin.driver.Host;
import io.cvmfsthin.driver.remote.RemoteLayerIndex;
import io.cvmfsthin.driver.snapshot.RemoteLayers;
import io.cvmfsthin.driver.snapshot.SnapshotStore;
import io.cvmfsthin.plugin.containerd.SnapshotsService;
import io.cvmfsthin.plugin.containerd.SnapshotterServer;
import io.cvmfsthin.plugin.metrics.Metrics;
import io.cvmfsthin.plugin.metrics.MetricsOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code snapshotter}: containerd's remote (proxy) snapshotter on a Unix socket, serving the same
 * layer store ideas and the same CVMFS client as the graph-driver plugin. Until SIGTERM; then stops
 * accepting, lets running calls finish for a few seconds and releases its CVMFS mounts. Overlay
 * mounts are containerd's own and stay.
 */
@Command(
    name = "snapshotter",
    mixinStandardHelpOptions = true,
    description =
        "Run a containerd remote snapshotter (proxy plugin of type snapshot) on a Unix socket.")
final class SnapshotterCommand implements Callable<Integer> {

  @Option(
      names = "--root",
      defaultValue = "/var/lib/cvmfs-thin-snapshotter",
      description =
          "Snapshots, their metadata, the CVMFS mounts and cache (default: ${DEFAULT-VALUE}).")
  Path root;

  @Option(
      names = "--address",
      defaultValue = "/run/cvmfs-thin/snapshotter.sock",
      description =
          "Unix socket containerd's [proxy_plugins.<name>] address points at (default:"
              + " ${DEFAULT-VALUE}).")
  Path address;

  @Option(
      names = "--cvmfs-config",
      defaultValue = "${env:CVMFS_CONFIG_DIR:-/etc/cvmfs}",
      description =
          "CernVM-FS configuration directory: default.conf, config.d/, keys/ (default:"
              + " ${DEFAULT-VALUE}); CVMFS_* variables in the environment override it.")
  Path configDir;

  @Option(
      names = "--layer-repository",
      description =
          "A repository searched for unmodified layers by digest (.layers/<h2>/<hex>/layerfs);"
              + " repeatable; replaces CVMFS_LAYER_REPOSITORIES of the configuration. A layer"
              + " found there becomes a remote snapshot and is not downloaded.")
  List<String> layerRepositories = List.of();

  @Option(
      names = "--workers",
      defaultValue = "16",
      description = "Threads for snapshot calls (default: ${DEFAULT-VALUE}).")
  int workers;

  @Mixin MetricsOption metricsOption;

  @Override
  public Integer call() throws Exception {
    Metrics metrics = metricsOption.start();
    ThreadPoolExecutor calls = newWorkers(workers);
    CvmfsRepositories repositories =
        new CvmfsRepositories(
            root,
            configDir,
            System.getenv(),
            metrics.client(),
            SupervisorClient.fromEnvironment(System.getenv()));
    repositories.takeOverSupervisedMounts();
    RemoteLayerIndex index = LayerIndexes.open(root, configDir, System.getenv(), layerRepositories);
    RemoteLayers remote = index::find;
    SnapshotStore store =
        SnapshotStore.open(
            root,
            repositories,
            remote,
            Clock.systemUTC(),
            new Random(),
            Host.linux().kernel().overlayHasIndex());
    SnapshotterServer server =
        SnapshotterServer.start(
            address,
            new SnapshotsService(store),
            calls,
            named("snapshotter-io-"),
            metrics.snapshotterInterceptors());

    Shutdown.awaitThen(
        "snapshotter",
        Duration.ofSeconds(8),
        () -> {
          server.close();
          calls.shutdown();
          if (!calls.awaitTermination(3, TimeUnit.SECONDS)) {
            calls.shutdownNow();
          }
          store.close();
          index.close();
          repositories.close();
          metrics.close();
        });
    return 0;
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static ThreadPoolExecutor newWorkers(int n) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            n, n, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024), named("snapshot-"));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
