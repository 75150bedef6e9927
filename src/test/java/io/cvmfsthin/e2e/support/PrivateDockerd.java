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
 * A dockerd of the test's own: own data-root, exec-root, socket and pidfile, no bridge and no
 * iptables, experimental on, so that it disturbs nothing else on the machine. Stopped by its pid.
 */
public final class PrivateDockerd implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  // socket paths are limited to 108 bytes: exec-root and socket live in a short directory
  private final Path shortDir;
  private final Path socket;
  private Process process;
  private String storageDriver;
  private Duration lastStart = Duration.ZERO;

  public PrivateDockerd(Path dir) {
    this.dir = dir.toAbsolutePath();
    try {
      this.shortDir = Files.createTempDirectory(Path.of("/tmp"), "dk");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a directory in /tmp", e);
    }
    this.socket = shortDir.resolve("docker.sock");
  }

  public static String dockerCli() {
    return Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
  }

  public Path dataRoot() {
    return dir.resolve("root");
  }

  public Path socket() {
    return socket;
  }

  public String host() {
    return "unix://" + socket;
  }

  public Path log() {
    return dir.resolve("dockerd.log");
  }

  /** How long the last start took until the API answered. */
  public Duration lastStartDuration() {
    return lastStart;
  }

  /** Starts with a built-in driver ({@code overlay2}) or a plugin driver name. */
  public PrivateDockerd start(String storageDriver, String... extraArgs) throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("dockerd already running in " + dir);
    }
    this.storageDriver = storageDriver;
    Files.createDirectories(shortDir.resolve("exec"));
    Files.createDirectories(dataRoot());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "dockerd",
                "--debug",
                "--experimental",
                "--data-root",
                dataRoot().toString(),
                "--exec-root",
                shortDir.resolve("exec").toString(),
                "-H",
                host(),
                "--pidfile",
                dir.resolve("docker.pid").toString(),
                "--bridge",
                "none",
                "--iptables=false",
                "--ip-masq=false",
                "--storage-driver",
                storageDriver));
    cmd.addAll(List.of(extraArgs));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Instant t0 = Instant.now();
    process = pb.start();
    while (Duration.between(t0, Instant.now()).compareTo(START_TIMEOUT) < 0) {
      if (!process.isAlive()) {
        throw new IOException(
            "dockerd ("
                + storageDriver
                + ") exited "
                + process.exitValue()
                + "; log tail:\n"
                + tail(40));
      }
      if (Files.exists(socket)
          && docker("version", "--format", "{{.Server.Version}}").exit() == 0) {
        lastStart = Duration.between(t0, Instant.now());
        return this;
      }
      sleep(200);
    }
    close();
    throw new IOException("dockerd did not answer within " + START_TIMEOUT + "; log:\n" + tail(40));
  }

  public Cmd.Result docker(String... args) {
    return docker(null, Duration.ofMinutes(10), args);
  }

  public Cmd.Result docker(java.io.InputStream stdin, Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(dockerCli());
    cmd.addAll(List.of(args));
    return Cmd.run(
        cmd, Map.of("DOCKER_HOST", host(), "DOCKER_BUILDKIT", "0"), null, stdin, timeout);
  }

  /** Runs docker and fails the test with its output if it fails. */
  public String dockerOk(String... args) {
    return docker(args).orThrow().stdout().strip();
  }

  /** SIGTERM, wait, then SIGKILL; unmounts what the daemon left under its directory. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
    // dockerd leaves its data-root bind mount (and plugin mounts) behind
    Mounts.unmountAllBelow(dir);
    Mounts.unmountAllBelow(shortDir);
  }

  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  public String storageDriver() {
    return storageDriver;
  }

  @Override
  public void close() {
    stop();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
