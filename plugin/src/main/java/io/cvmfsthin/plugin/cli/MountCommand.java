package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.config.ConfigFiles;
import io.cvmfsthin.cvmfs.fuse.FuseTransport;
import io.cvmfsthin.cvmfs.fuse.LayerRoots;
import io.cvmfsthin.cvmfs.fuse.MountOptions;
import io.cvmfsthin.cvmfs.fuse.RepositoryMount;
import io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient;
import io.cvmfsthin.cvmfs.metrics.ClientMetrics;
import io.cvmfsthin.plugin.metrics.Metrics;
import io.cvmfsthin.plugin.metrics.MetricsOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mount}: mounts one repository read-only with FUSE and stays in the foreground until
 * SIGTERM/SIGINT or an external {@code umount}; then it is unmounted, the counters are logged and
 * the command exits 0. Under {@code supervise} ({@link SupervisorClient#SETTING} set) the mount
 * uses the kernel transport and outlives this process: a successor takes it over.
 */
@Command(
    name = "mount",
    mixinStandardHelpOptions = true,
    description = "Mount a CernVM-FS repository read-only (foreground; SIGTERM or umount ends it).")
public final class MountCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(MountCommand.class);

  @Parameters(index = "0", description = "Repository name, e.g. atlas.cern.ch.")
  String fqrn;

  @Parameters(index = "1", description = "Directory to mount on (created if missing).")
  Path mountPoint;

  @Option(
      names = "--url",
      description = "Server URL(s), CVMFS_SERVER_URL syntax (';'-separated, @fqrn@).")
  String url;

  @Option(names = "--key", description = "Master public key (.pub file or a directory of them).")
  Path key;

  @Option(
      names = "--config",
      arity = "1..*",
      description =
          "CVMFS configuration files (KEY=value), read in order. Without --config and --url: the"
              + " standard files under /etc/cvmfs.")
  List<Path> configFiles = new ArrayList<>();

  @Option(names = "--cache", description = "Object cache directory.")
  Path cache;

  @Option(names = "--tag", description = "Mount a named tag instead of HEAD.")
  String tag;

  @Option(
      names = "--layer-view",
      description = "Show /.layers/*/*/layerfs directories the way overlayfs reads layers.")
  boolean layerView;

  @Option(
      names = "--layer-root",
      description = "A layer-root pattern ('*' = one path component); repeatable; '/' = all.")
  List<String> layerRoots = new ArrayList<>();

  @Option(
      names = "--no-allow-other",
      description = "Only the mounting user may use the mount (default: allow_other).")
  boolean noAllowOther;

  @Option(
      names = "--transport",
      description =
          "FUSE transport: kernel (the FUSE protocol on /dev/fuse directly; root only), libfuse"
              + " or auto (kernel as root, else libfuse). Default: CVMFS_FUSE_TRANSPORT of the"
              + " configuration or environment, else auto.")
  String transport;

  @Mixin MetricsOption metricsOption;

  private String configuredTransport; // CVMFS_FUSE_TRANSPORT of the configuration files
  private ClientMetrics clientMetrics = ClientMetrics.NONE; // the endpoint's, once started

  @Override
  public Integer call() throws Exception {
    try (Metrics metrics = metricsOption.start()) {
      clientMetrics = metrics.client();
      SupervisorClient supervisor = SupervisorClient.fromEnvironment(System.getenv());
      RepositoryMount mount =
          RepositoryMount.mount(settings(), mountPoint, options().withSupervisor(supervisor));
      Signals.onTermination(mount::close);
      log.info("{} mounted at {}; SIGTERM, SIGINT or umount to stop", fqrn, mount.mountPoint());
      mount.awaitUnmounted();
      mount.close();
      return 0;
    }
  }

  ClientSettings settings() throws Exception {
    Map<String, String> config = new LinkedHashMap<>();
    if (!configFiles.isEmpty()) {
      for (Path f : configFiles) {
        ConfigFiles.readInto(f, config);
      }
    } else if (url == null) {
      config.putAll(ConfigFiles.load(Path.of("/etc/cvmfs"), fqrn));
    }
    config.putIfAbsent("CVMFS_HTTP_PROXY", "DIRECT");
    configuredTransport = config.get(FuseTransport.SETTING);
    ClientSettings.Builder b = ClientSettings.fromConfig(fqrn, config);
    if (url != null) {
      b.serverUrls(url);
    }
    if (key != null) {
      b.masterKeys(key);
    }
    if (cache != null) {
      b.cacheDir(cache);
    } else if (!config.containsKey("CVMFS_CACHE_DIR") && !config.containsKey("CVMFS_CACHE_BASE")) {
      b.cacheDir(Path.of("/var/cache/cvmfs-thin").resolve(fqrn));
    }
    if (tag != null) {
      b.tag(tag);
    }
    return b.metrics(clientMetrics).build();
  }

  MountOptions options() {
    List<String> roots = new ArrayList<>(layerRoots);
    if (layerView) {
      roots.add("/.layers/*/*/layerfs");
    }
    return MountOptions.PLAIN
        .withLayerRoots(
            roots.isEmpty() ? LayerRoots.NONE : LayerRoots.of(roots.toArray(String[]::new)))
        .withAllowOther(!noAllowOther)
        .withTransport(FuseTransport.parse(firstSet(transport, configuredTransport)));
  }

  /** The flag, else the configuration files, else the environment. */
  private static String firstSet(String flag, String configured) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    return System.getenv(FuseTransport.SETTING);
  }
}
