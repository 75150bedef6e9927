package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Our containerd snapshotter as a process of the test: {@code java -jar
 * plugin/target/cvmfs-thin.jar snapshotter --root DIR/snapshotter --address SOCKET ARGS}, logging
 * at debug level to {@code DIR/snapshotter.log}; restartable on the same root and socket; stopped
 * by its pid (SIGTERM, then SIGKILL).
 */
public final class SnapshotterProcess implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final Path socket;
  private final List<String> args;
  private final boolean supervised;
  private Process process;

  private SnapshotterProcess(Path dir, Path socket, List<String> args, boolean supervised) {
    this.dir = dir.toAbsolutePath();
    this.socket = socket;
    this.args = List.copyOf(args);
    this.supervised = supervised;
  }

  /**
   * Starts it and waits for its socket.
   *
   * @param socket a short path (Unix socket paths are limited to 108 bytes)
   * @param args more arguments of the {@code snapshotter} command (CVMFS settings)
   */
  public static SnapshotterProcess start(Path dir, Path socket, List<String> args)
      throws IOException {
    return start(dir, socket, args, false);
  }

  /**
   * As {@link #start(Path, Path, List)}; {@code supervised}: as the systemd unit runs it, {@code
   * supervise -- snapshotter} (its mounts outlive the serving JVM, see {@link #killWorker}).
   */
  public static SnapshotterProcess start(
      Path dir, Path socket, List<String> args, boolean supervised) throws IOException {
    SnapshotterProcess p = new SnapshotterProcess(dir, socket, args, supervised);
    Files.createDirectories(p.dir);
    p.start();
    return p;
  }

  public Path socket() {
    return socket;
  }

  /** The snapshotter's --root. */
  public Path root() {
    return dir.resolve("snapshotter");
  }

  public Path log() {
    return dir.resolve("snapshotter.log");
  }

  /** The running process (for liveness checks while waiting on it). */
  public Process process() {
    return process;
  }

  /** Stops it (SIGTERM) and starts it again on the same root and socket. */
  public void restart() throws IOException {
    restart(() -> {});
  }

  /** As {@link #restart()}, running {@code whileStopped} between the stop and the start. */
  public void restart(WhileStopped whileStopped) throws IOException {
    stop(process, "snapshotter");
    process = null;
    whileStopped.run();
    start();
  }

  /**
   * SIGKILL to the serving JVM of a supervised snapshotter; returns once the supervisor has started
   * another one and it listens again.
   */
  public void killWorker() throws IOException, InterruptedException {
    long worker = workerPid();
    Cmd.run("kill", "-9", String.valueOf(worker)).orThrow();
    await(
        process,
        "a new snapshotter worker",
        () -> {
          long w = workerPid();
          return w > 0 && w != worker && Files.exists(socket);
        },
        log());
  }

  private long workerPid() {
    return process
        .children()
        .filter(h -> h.info().commandLine().orElse("").contains("Main snapshotter"))
        .mapToLong(ProcessHandle::pid)
        .findFirst()
        .orElse(-1);
  }

  /** What a test does while the snapshotter is down (e.g. empties its cache). */
  @FunctionalInterface
  public interface WhileStopped {
    void run() throws IOException;
  }

  private void start() throws IOException {
    Path jar = PluginDaemon.projectRoot().resolve("plugin/target/cvmfs-thin.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IOException(jar + " is missing: build the plugin module (mvn package) first");
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString()));
    if (supervised) {
      cmd.addAll(
          List.of("supervise", "--state-dir", socket.resolveSibling("sup").toString(), "--"));
    }
    cmd.addAll(List.of("snapshotter", "--root", root().toString(), "--address", socket.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LOG_LEVEL", "debug");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    process = pb.start();
    await(process, "snapshotter", () -> Files.exists(socket), log());
  }

  /** What {@link #await} polls. */
  interface Ready {
    boolean check() throws IOException;
  }

  /** Polls {@code ready} until true; fails with the log's tail if {@code p} exits or time is up. */
  static void await(Process p, String what, Ready ready, Path log) throws IOException {
    Instant t0 = Instant.now();
    while (Duration.between(t0, Instant.now()).compareTo(START_TIMEOUT) < 0) {
      if (!p.isAlive()) {
        throw new IOException(what + " exited " + p.exitValue() + "; log tail:\n" + tail(log, 40));
      }
      if (ready.check()) {
        return;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for " + what);
      }
    }
    throw new IOException(what + " not ready within " + START_TIMEOUT + "; log:\n" + tail(log, 40));
  }

  /** The last {@code lines} lines of a log file. */
  public static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** SIGTERM, up to 30 s, then SIGKILL. */
  static void stop(Process p, String what) {
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        System.err.println(what + " did not stop on SIGTERM, killing it");
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops it; unmounts what is left below its directory. */
  @Override
  public void close() {
    stop(process, "snapshotter");
    process = null;
    Mounts.unmountAllBelow(dir.resolve("snapshotter"));
  }
}
