package io.cvmfsthin.plugin;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.config.ConfigFiles;
import io.cvmfsthin.cvmfs.fuse.FuseTransport;
import io.cvmfsthin.cvmfs.fuse.MountOptions;
import io.cvmfsthin.cvmfs.fuse.MountedRepositories;
import io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient;
import io.cvmfsthin.cvmfs.metrics.ClientMetrics;
import io.cvmfsthin.cvmfs.prefetch.ChainKey;
import io.cvmfsthin.driver.RepositoryMounts;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's repository mounts, served by the FUSE client in the layer view: one mount per
 * repository under {@code <state>/cvmfs/<fqrn>}, reference counted by the driver's get/put.
 *
 * <p>Settings come the CVMFS way: the configuration directory (the plugin's {@code cvmfs-config}
 * mount, laid out like {@code /etc/cvmfs}), then the plugin's non-empty {@code CVMFS_*} environment
 * ({@code docker plugin set}) on top. Without a proxy setting the plugin goes {@code DIRECT};
 * without a key setting it trusts {@code <config>/keys}.
 */
final class CvmfsRepositories implements RepositoryMounts, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CvmfsRepositories.class);

  /**
   * How long a repository stays mounted after its last user: dockerd gets and puts the layers of a
   * container three times while it creates and starts it (-init layer, create-time mount, start).
   */
  static final java.time.Duration LINGER = java.time.Duration.ofSeconds(5);

  private final PluginConfig config;
  private final MountedRepositories mounts;
  private final SupervisorClient supervisor; // null: not under `supervise`
  private volatile ImagePrefetch prefetch; // null: no recorded prefetch

  CvmfsRepositories(Path stateDir, Path configRoot, Map<String, String> environment) {
    this(stateDir, configRoot, environment, ClientMetrics.NONE, null);
  }

  /**
   * Repositories whose clients report to {@code metrics}, mounted under {@code supervisor} (null:
   * none): the mounts outlive this process and a successor takes them over ({@link
   * #takeOverSupervisedMounts}).
   */
  CvmfsRepositories(
      Path stateDir,
      Path configRoot,
      Map<String, String> environment,
      ClientMetrics metrics,
      SupervisorClient supervisor) {
    this.config = new PluginConfig(configRoot, stateDir.resolve("cache"), environment, metrics);
    this.supervisor = supervisor;
    this.mounts =
        new MountedRepositories(
            stateDir.resolve("cvmfs"),
            config,
            MountOptions.LAYER_VIEW.withSupervisor(supervisor),
            LINGER);
  }

  /**
   * Serves again, at once, every mount a predecessor of this process left with the supervisor:
   * running containers read through them, and their requests wait until this is done. Each keeps
   * one user for good (the driver's own counts are not known here), so it stays mounted until the
   * plugin stops. Returns how many were taken over.
   */
  int takeOverSupervisedMounts() {
    if (supervisor == null) {
      return 0;
    }
    Map<String, String> held;
    try {
      held = supervisor.list();
    } catch (IOException e) {
      log.error("asking the supervisor for the mounts it keeps failed", e);
      return 0;
    }
    int n = 0;
    for (Map.Entry<String, String> e : held.entrySet()) {
      String fqrn = e.getValue();
      if (!mounts.mountPoint(fqrn).toString().equals(e.getKey())) {
        log.warn("supervisor keeps {} for {}: not a mount of this plugin", e.getKey(), fqrn);
        continue;
      }
      try {
        mounts.acquire(fqrn);
        n++;
        log.info("{}: the mount at {} is served by this process now", fqrn, e.getKey());
      } catch (IOException | RuntimeException x) {
        log.error("{}: taking over the mount at {} failed", fqrn, e.getKey(), x);
      }
    }
    return n;
  }

  @Override
  public boolean isConfigured(String fqrn) {
    return mounts.isConfigured(fqrn);
  }

  @Override
  public String missingSettings(String fqrn) {
    return config.missingSettings(fqrn);
  }

  @Override
  public Path acquire(String fqrn) throws IOException {
    return mounts.acquire(fqrn);
  }

  @Override
  public void release(String fqrn) {
    mounts.release(fqrn);
  }

  /** Turns recorded prefetch on: {@code p} hears every open and every image start and stop. */
  void prefetch(ImagePrefetch p) {
    this.prefetch = p;
    mounts.openListener(p);
  }

  /** The client of a mounted repository (prefetch fetches and reads lists through it). */
  Optional<RepositoryClient> client(String fqrn) {
    return mounts.client(fqrn);
  }

  @Override
  public void imageStarted(String layerId, String chainKey, List<ChainKey.Layer> bottomFirst) {
    ImagePrefetch p = prefetch;
    if (p != null) {
      p.started(layerId, chainKey, bottomFirst);
    }
  }

  @Override
  public void imageStopped(String layerId) {
    ImagePrefetch p = prefetch;
    if (p != null) {
      p.stopped(layerId);
    }
  }

  @Override
  public void refresh(String fqrn) throws IOException {
    long revision = mounts.refreshNow(fqrn);
    if (revision >= 0) {
      log.debug("{}: refreshed, revision {}", fqrn, revision);
    }
  }

  /** Unmounts every repository (plugin shutdown). */
  @Override
  public void close() {
    ImagePrefetch p = prefetch;
    if (p != null) {
      p.close();
    }
    mounts.close();
  }

  /** CVMFS configuration files with the plugin's environment on top. */
  static final class PluginConfig implements MountedRepositories.SettingsResolver {
    private final Path configRoot;
    private final Path cacheBase;
    private final Map<String, String> environment;
    private final ClientMetrics metrics;

    PluginConfig(Path configRoot, Path cacheBase, Map<String, String> environment) {
      this(configRoot, cacheBase, environment, ClientMetrics.NONE);
    }

    PluginConfig(
        Path configRoot, Path cacheBase, Map<String, String> environment, ClientMetrics metrics) {
      this.metrics = metrics;
      this.configRoot = configRoot;
      this.cacheBase = cacheBase;
      this.environment = Map.copyOf(environment);
    }

    Map<String, String> values(String fqrn) throws IOException {
      Map<String, String> config = new HashMap<>(ConfigFiles.load(configRoot, fqrn));
      environment.forEach(
          (k, v) -> {
            if (k.startsWith("CVMFS_") && !v.isBlank()) {
              config.put(k, v);
            }
          });
      config.putIfAbsent("CVMFS_HTTP_PROXY", "DIRECT");
      if (!config.containsKey("CVMFS_PUBLIC_KEY") && !config.containsKey("CVMFS_KEYS_DIR")) {
        config.put("CVMFS_KEYS_DIR", configRoot.resolve("keys").toString());
      }
      if (!config.containsKey("CVMFS_CACHE_DIR") && !config.containsKey("CVMFS_CACHE_BASE")) {
        config.put("CVMFS_CACHE_DIR", cacheBase.resolve(fqrn).toString());
      }
      return config;
    }

    @Override
    public boolean isConfigured(String fqrn) {
      try {
        String url = values(fqrn).get("CVMFS_SERVER_URL");
        return url != null && !url.isBlank();
      } catch (IOException | IllegalArgumentException e) {
        log.warn("CVMFS configuration of {} in {} unreadable: {}", fqrn, configRoot, e.toString());
        return false;
      }
    }

    /**
     * What keeps {@code fqrn} from mounting, naming the plugin settings that would give it; empty
     * when its settings are complete.
     */
    String missingSettings(String fqrn) {
      String problem;
      try {
        String url = values(fqrn).get("CVMFS_SERVER_URL");
        if (url == null || url.isBlank()) {
          problem = "no CVMFS_SERVER_URL for it";
        } else {
          settings(fqrn);
          return "";
        }
      } catch (NoSuchFileException e) {
        problem = e.getMessage() + " does not exist";
      } catch (IOException | IllegalArgumentException e) {
        problem = e.getMessage();
      }
      return problem
          + "; give the plugin a CernVM-FS configuration with `docker plugin set` while it is"
          + " disabled: cvmfs-config.source=<host directory laid out like /etc/cvmfs, holding"
          + " keys/"
          + fqrn
          + ".pub and config.d/"
          + fqrn
          + ".conf> (now "
          + configRoot
          + " inside the plugin), or CVMFS_SERVER_URL and CVMFS_KEYS_DIR";
    }

    @Override
    public ClientSettings settings(String fqrn) throws IOException {
      return ClientSettings.fromConfig(fqrn, values(fqrn)).metrics(metrics).build();
    }

    @Override
    public FuseTransport transport(String fqrn) throws IOException {
      return FuseTransport.parse(values(fqrn).get(FuseTransport.SETTING));
    }
  }
}
