package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A private dockerd whose storage driver is our plugin, bootstrapped as a user would (spec §7.1):
 * start with overlay2, make the plugin directory, {@code docker plugin create}, {@code set}, {@code
 * enable}, stop, start again with {@code --storage-driver <plugin>}.
 */
public final class PluginDaemon implements AutoCloseable {
  public static final String PLUGIN = "cvmfs/thin";

  private final Path work;
  private final PrivateDockerd docker;
  private Duration bootstrap = Duration.ZERO;
  private String pluginId;

  private PluginDaemon(Path work) {
    this.work = work;
    this.docker = new PrivateDockerd(work.resolve("docker"));
  }

  public static Path projectRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("config.json"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "cannot find the project root (config.json) above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  /**
   * Starts it; {@code settings} are {@code docker plugin set} values (KEY=VALUE) applied before
   * enabling, e.g. CVMFS env and the cvmfs-config mount source.
   */
  public static PluginDaemon start(Path work, List<String> settings) throws IOException {
    PluginDaemon d = new PluginDaemon(work);
    try {
      d.bootstrap(settings);
      return d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /**
   * Starts it as a new user would, with config.json's defaults: {@code docker plugin enable} with
   * no {@code docker plugin set} before it.
   */
  public static PluginDaemon startWithDefaults(Path work) throws IOException {
    PluginDaemon d = new PluginDaemon(work);
    try {
      d.bootstrap(null);
      return d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /**
   * Starts it with the plugin {@code docker plugin install}ed from {@code remote} (a registry
   * reference) under the name {@link #PLUGIN}, disabled, then set up and enabled as {@link #start}
   * does.
   */
  public static PluginDaemon install(Path work, String remote, List<String> settings)
      throws IOException {
    PluginDaemon d = new PluginDaemon(work);
    try {
      d.docker.start("overlay2");
      d.docker.dockerOk(
          "plugin", "install", "--grant-all-permissions", "--disable", "--alias", PLUGIN, remote);
      d.setUpAndRestart(settings);
      return d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /** Runs plugin/make-plugin-dir.sh with {@code docker} (a daemon with a built-in driver). */
  public static void makePluginDir(PrivateDockerd docker, Path pluginDir) {
    Cmd.run(
            List.of(
                projectRoot().resolve("plugin/make-plugin-dir.sh").toString(),
                pluginDir.toString()),
            Map.of("DOCKER_HOST", docker.host(), "DOCKER", PrivateDockerd.dockerCli()),
            projectRoot(),
            null,
            Duration.ofMinutes(15))
        .orThrow();
  }

  /** {@code settings}: what to {@code docker plugin set} beside the test's own; null: nothing. */
  private void bootstrap(List<String> settings) throws IOException {
    Path pluginDir = work.resolve("plugin-dir");
    docker.start("overlay2");
    makePluginDir(docker, pluginDir);
    docker.dockerOk("plugin", "create", PLUGIN, pluginDir.toString());
    setUpAndRestart(settings);
  }

  private void setUpAndRestart(List<String> settings) throws IOException {
    if (settings != null) {
      setUp(settings);
    }
    docker.dockerOk("plugin", "enable", PLUGIN);
    docker.stop();
    long t0 = System.nanoTime();
    docker.start(PLUGIN);
    bootstrap = Duration.ofNanos(System.nanoTime() - t0);
  }

  private void setUp(List<String> settings) throws IOException {
    Path etcCvmfs = work.resolve("etc-cvmfs");
    Files.createDirectories(etcCvmfs.resolve("keys"));
    Files.createDirectories(etcCvmfs.resolve("config.d"));
    List<String> set = new java.util.ArrayList<>(List.of("plugin", "set", PLUGIN));
    set.add("cvmfs-config.source=" + etcCvmfs);
    set.add("LOG_LEVEL=debug");
    set.addAll(settings);
    docker.dockerOk(set.toArray(String[]::new));
  }

  public PrivateDockerd docker() {
    return docker;
  }

  /** Time from dockerd's start with the plugin as storage driver until its API answered. */
  public Duration readyAfter() {
    return bootstrap;
  }

  /** The directory holding cvmfs configuration that the plugin sees as /etc/cvmfs. */
  public Path etcCvmfs() {
    return work.resolve("etc-cvmfs");
  }

  /**
   * Makes {@code fqrn} known to the plugin's client: its public key and server URL in the directory
   * the plugin sees as /etc/cvmfs (read when the repository is mounted).
   */
  public void configureRepository(String fqrn, Path publicKey, String serverUrl)
      throws IOException {
    CvmfsConfig.add(etcCvmfs(), fqrn, publicKey, serverUrl);
  }

  /** The plugin's full id (asked once; it stays while the plugin is installed). */
  public String pluginId() {
    if (pluginId == null) {
      pluginId = docker.dockerOk("plugin", "inspect", "--format", "{{.Id}}", PLUGIN);
    }
    return pluginId;
  }

  /** The plugin's socket as dockerd dials it. */
  public Path socket() {
    return Path.of("/run/docker/plugins", pluginId(), "cvmfs-thin.sock");
  }

  /**
   * Pids of the plugin's serve process: the JVM whose parent is the containerd shim that runs this
   * plugin's id.
   */
  public List<Long> pluginPids() {
    String id = pluginId();
    List<Long> shims = new java.util.ArrayList<>();
    List<long[]> jvms = new java.util.ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
          if (cmdline.contains("containerd-shim") && cmdline.contains(id)) {
            shims.add(Long.parseLong(name));
          } else if (cmdline.contains("cvmfs-thin.jar") && cmdline.contains("serve")) {
            String stat = Files.readString(p.resolve("stat"));
            long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
            jvms.add(new long[] {Long.parseLong(name), ppid});
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return jvms.stream().filter(j -> shims.contains(j[1])).map(j -> j[0]).toList();
  }

  /** The host directory behind the plugin's PropagatedMount (/data inside it). */
  public Path propagatedMount() {
    return docker.dataRoot().resolve("plugins").resolve(pluginId()).resolve("propagated-mount");
  }

  @Override
  public void close() {
    docker.close();
  }
}
