package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A containerd (Debian's 1.6) of the test's own: own root, state and socket, CRI off, and a config
 * declaring our snapshotter as the proxy plugin {@value #SNAPSHOTTER}; plus that snapshotter,
 * started from the built jar ({@code java -jar plugin/target/cvmfs-thin.jar snapshotter}), which
 * the test can restart. Both stopped by their pids; what they mounted is unmounted.
 */
public final class ContainerdDaemon implements AutoCloseable {
  public static final String SNAPSHOTTER = "cvmfs-thin";
  public static final String NAMESPACE = "e2e";

  private final Path dir;
  // socket paths are limited to 108 bytes: state and sockets live in a short directory
  private final Path shortDir;
  private final List<String> snapshotterArgs;
  private boolean supervised;
  private Process containerd;
  private SnapshotterProcess snapshotter;

  private ContainerdDaemon(Path dir, List<String> snapshotterArgs) throws IOException {
    this.dir = dir.toAbsolutePath();
    this.shortDir = Files.createTempDirectory(Path.of("/tmp"), "ctd");
    this.snapshotterArgs = List.copyOf(snapshotterArgs);
  }

  /**
   * Starts the snapshotter, then containerd.
   *
   * @param snapshotterArgs more arguments of the {@code snapshotter} command (CVMFS settings)
   */
  public static ContainerdDaemon start(Path dir, List<String> snapshotterArgs) throws IOException {
    return start(dir, snapshotterArgs, false);
  }

  /** As {@link #start(Path, List)}; {@code supervised}: {@code supervise -- snapshotter}. */
  public static ContainerdDaemon start(Path dir, List<String> snapshotterArgs, boolean supervised)
      throws IOException {
    ContainerdDaemon d = new ContainerdDaemon(dir, snapshotterArgs);
    d.supervised = supervised;
    try {
      Files.createDirectories(d.dir);
      d.snapshotter =
          SnapshotterProcess.start(d.dir, d.snapshotterSocket(), d.snapshotterArgs, d.supervised);
      d.startContainerd();
      return d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  public Path socket() {
    return shortDir.resolve("containerd.sock");
  }

  /** SIGKILL to the supervised snapshotter's serving JVM; returns once a new one serves. */
  public void killSnapshotterWorker() throws IOException, InterruptedException {
    snapshotter.killWorker();
  }

  public Path snapshotterSocket() {
    return shortDir.resolve("snap.sock");
  }

  /** The snapshotter's --root. */
  public Path snapshotterRoot() {
    return snapshotter.root();
  }

  public Path snapshotterLog() {
    return snapshotter.log();
  }

  public Path log() {
    return dir.resolve("containerd.log");
  }

  /** Runs {@code ctr --address <socket> -n e2e ARGS}. */
  public Cmd.Result ctr(String... args) {
    return ctr(Duration.ofMinutes(5), args);
  }

  public Cmd.Result ctr(Duration timeout, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of("ctr", "--address", socket().toString(), "-n", NAMESPACE));
    cmd.addAll(List.of(args));
    return Cmd.run(cmd, Map.of(), null, null, timeout);
  }

  /** Runs ctr and fails the test with its output if it fails. */
  public String ctrOk(String... args) {
    return ctr(args).orThrow().stdout().strip();
  }

  /** Stops the snapshotter (SIGTERM) and starts it again on the same root and socket. */
  public void restartSnapshotter() throws IOException {
    restartSnapshotter(() -> {});
  }

  /** As {@link #restartSnapshotter()}, running {@code whileStopped} while it is down. */
  public void restartSnapshotter(SnapshotterProcess.WhileStopped whileStopped) throws IOException {
    snapshotter.restart(whileStopped);
    awaitConnected();
  }

  /**
   * Waits until containerd reaches the snapshotter: a Prepare and a Remove of a probe snapshot go
   * through (listing does not: containerd answers it from its own metadata). containerd 1.6 dials a
   * proxy plugin with a connect deadline of about one second, which the first connection to a cold
   * JVM on a loaded machine can miss; containerd then redials with a backoff.
   */
  private void awaitConnected() throws IOException {
    int[] n = {0};
    SnapshotterProcess.await(
        snapshotter.process(),
        "snapshotter (through containerd)",
        () -> {
          String key = "probe-" + ++n[0];
          if (ctr("snapshots", "--snapshotter", SNAPSHOTTER, "prepare", key, "").exit() != 0) {
            return false;
          }
          ctr("snapshots", "--snapshotter", SNAPSHOTTER, "rm", key).orThrow();
          return true;
        },
        snapshotterLog());
  }

  private void startContainerd() throws IOException {
    Path config = dir.resolve("config.toml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "version = 2",
            "root = \"" + dir.resolve("root") + "\"",
            "state = \"" + shortDir.resolve("state") + "\"",
            "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
            "[grpc]",
            "  address = \"" + socket() + "\"",
            "[ttrpc]",
            "  address = \"" + shortDir.resolve("ttrpc.sock") + "\"",
            "[debug]",
            "  level = \"debug\"",
            "[plugins.\"io.containerd.internal.v1.opt\"]",
            "  path = \"" + dir.resolve("opt") + "\"",
            "[proxy_plugins." + SNAPSHOTTER + "]",
            "  type = \"snapshot\"",
            "  address = \"" + snapshotterSocket() + "\"",
            ""));
    ProcessBuilder pb = new ProcessBuilder("containerd", "--config", config.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    containerd = pb.start();
    SnapshotterProcess.await(
        containerd,
        "containerd",
        () -> Files.exists(socket()) && ctr("version").exit() == 0,
        log());
    awaitConnected();
  }

  /** Stops containerd, then the snapshotter; unmounts what is left below both directories. */
  @Override
  public void close() {
    SnapshotterProcess.stop(containerd, "containerd");
    containerd = null;
    if (snapshotter != null) {
      snapshotter.close();
      snapshotter = null;
    }
    Mounts.unmountAllBelow(shortDir);
    Mounts.unmountAllBelow(dir);
  }
}
