package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's containerd with its CRI plugin on, as kubelet's runtime: own root, state, socket and
 * config in the test's directory, snapshot annotations on ({@code disable_snapshot_annotations =
 * false}, so the CRI plugin labels each layer's snapshot), plain-HTTP loopback registries declared
 * through {@code registry.config_path} hosts.toml files. Snapshotter {@code overlayfs} unless a
 * proxy snapshotter is declared. Stopped by its pid.
 */
public final class CriContainerd implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  // socket paths are limited to 108 bytes: state and sockets live in a short directory
  private final Path shortDir;
  private final List<String> insecureRegistries = new ArrayList<>();
  private String snapshotter = "overlayfs";
  private Path proxySocket;
  private Process process;

  public CriContainerd(Path dir) {
    this.dir = dir.toAbsolutePath();
    try {
      this.shortDir = Files.createTempDirectory(Path.of("/tmp"), "ctd");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a directory in /tmp", e);
    }
  }

  /** Pulls from {@code host:port} over plain HTTP (a {@link LocalRegistry}). */
  public CriContainerd insecureRegistry(String hostPort) {
    insecureRegistries.add(hostPort);
    return this;
  }

  /**
   * Declares {@code [proxy_plugins.<name>]} on {@code socket} and makes it the CRI plugin's
   * snapshotter.
   */
  public CriContainerd proxySnapshotter(String name, Path socket) {
    this.snapshotter = name;
    this.proxySocket = socket.toAbsolutePath();
    return this;
  }

  public Path socket() {
    return shortDir.resolve("containerd.sock");
  }

  public Path log() {
    return dir.resolve("containerd.log");
  }

  public Path config() {
    return dir.resolve("config.toml");
  }

  public String snapshotter() {
    return snapshotter;
  }

  public CriContainerd start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("containerd already running in " + dir);
    }
    Files.createDirectories(dir.resolve("root"));
    Files.createDirectories(dir.resolve("opt"));
    Files.createDirectories(dir.resolve("cni/bin"));
    Files.createDirectories(dir.resolve("cni/conf"));
    Files.createDirectories(shortDir.resolve("state"));
    Path certs = Files.createDirectories(dir.resolve("certs.d"));
    for (String hostPort : insecureRegistries) {
      Path hostDir = Files.createDirectories(certs.resolve(hostPort));
      Files.writeString(
          hostDir.resolve("hosts.toml"),
          String.join(
              "\n",
              "server = \"http://" + hostPort + "\"",
              "[host.\"http://" + hostPort + "\"]",
              "  capabilities = [\"pull\", \"resolve\"]",
              ""));
    }
    Files.writeString(config(), configToml(certs));
    ProcessBuilder pb = new ProcessBuilder("containerd", "--config", config().toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Instant t0 = Instant.now();
    process = pb.start();
    while (Duration.between(t0, Instant.now()).compareTo(START_TIMEOUT) < 0) {
      if (!process.isAlive()) {
        throw new IOException(
            "containerd exited " + process.exitValue() + "; log tail:\n" + tail(40));
      }
      if (Files.exists(socket()) && ctr("plugins", "ls").exit() == 0) {
        return this;
      }
      sleep(200);
    }
    close();
    throw new IOException(
        "containerd did not answer within " + START_TIMEOUT + "; log:\n" + tail(40));
  }

  private String configToml(Path certs) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "version = 2",
                "root = \"" + dir.resolve("root") + "\"",
                "state = \"" + shortDir.resolve("state") + "\"",
                "disabled_plugins = [\"io.containerd.snapshotter.v1.aufs\","
                    + " \"io.containerd.snapshotter.v1.btrfs\", \"io.containerd.snapshotter.v1.zfs\","
                    + " \"io.containerd.snapshotter.v1.devmapper\"]",
                "[grpc]",
                "  address = \"" + socket() + "\"",
                "[ttrpc]",
                "  address = \"" + socket() + ".ttrpc\"",
                "[debug]",
                "  level = \"debug\"",
                "[plugins.\"io.containerd.internal.v1.opt\"]",
                "  path = \"" + dir.resolve("opt") + "\"",
                "[plugins.\"io.containerd.grpc.v1.cri\"]",
                "  stream_server_address = \"127.0.0.1\"",
                "  stream_server_port = \"0\"",
                "  [plugins.\"io.containerd.grpc.v1.cri\".cni]",
                "    bin_dir = \"" + dir.resolve("cni/bin") + "\"",
                "    conf_dir = \"" + dir.resolve("cni/conf") + "\"",
                "  [plugins.\"io.containerd.grpc.v1.cri\".containerd]",
                "    snapshotter = \"" + snapshotter + "\"",
                "    disable_snapshot_annotations = false",
                "  [plugins.\"io.containerd.grpc.v1.cri\".registry]",
                "    config_path = \"" + certs + "\""));
    if (proxySocket != null) {
      lines.add("[proxy_plugins.\"" + snapshotter + "\"]");
      lines.add("  type = \"snapshot\"");
      lines.add("  address = \"" + proxySocket + "\"");
    }
    lines.add("");
    return String.join("\n", lines);
  }

  /** Runs {@code ctr --address <socket> args...}. */
  public Cmd.Result ctr(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket().toString()));
    cmd.addAll(List.of(args));
    return Cmd.run(cmd, Map.of(), null, null, Duration.ofMinutes(10));
  }

  /** Runs ctr in the CRI plugin's namespace {@code k8s.io}; fails the test if it fails. */
  public String ctrK8sOk(String... args) {
    List<String> cmd = new ArrayList<>(List.of("-n", "k8s.io"));
    cmd.addAll(List.of(args));
    return ctr(cmd.toArray(String[]::new)).orThrow().stdout();
  }

  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** SIGTERM to containerd's pid, wait, then SIGKILL; unmounts what it left. */
  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
    Mounts.unmountAllBelow(dir);
    Mounts.unmountAllBelow(shortDir);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
