package io.cvmfsthin.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A dockerd of the test's own (own data-root, exec-root, socket and pid file, no bridge, no
 * iptables, built-in overlay2), stopped by its pid. Other daemons on the host are left alone.
 */
final class PrivateDockerd implements AutoCloseable {
  private final Path dir;
  private final Process process;

  private PrivateDockerd(Path dir, Process process) {
    this.dir = dir;
    this.process = process;
  }

  static PrivateDockerd start(Path dir) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/sbin/dockerd"))) {
      throw new IllegalStateException("dockerd is not installed (apt-get install docker.io)");
    }
    Files.createDirectories(dir);
    Process p =
        new ProcessBuilder(
                "/usr/sbin/dockerd",
                "--data-root",
                dir.resolve("root").toString(),
                "--exec-root",
                dir.resolve("exec").toString(),
                "-H",
                "unix://" + dir.resolve("docker.sock"),
                "--pidfile",
                dir.resolve("docker.pid").toString(),
                "--bridge",
                "none",
                "--iptables=false",
                "--ip-masq=false",
                "--storage-driver",
                "overlay2")
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(dir.resolve("dockerd.log").toFile())
            .start();
    PrivateDockerd d = new PrivateDockerd(dir, p);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      try {
        d.docker("version");
        return d;
      } catch (IOException e) {
        if (!p.isAlive() || Instant.now().isAfter(deadline)) {
          d.close();
          throw new IllegalStateException(
              "private dockerd did not start: " + Files.readString(dir.resolve("dockerd.log")), e);
        }
        Thread.sleep(300);
      }
    }
  }

  Path dataRoot() {
    return dir.resolve("root");
  }

  /** Runs the docker CLI against this daemon; its stdout, or an IOException with its output. */
  String docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("DOCKER_HOST", "unix://" + dir.resolve("docker.sock"));
    pb.environment().put("DOCKER_BUILDKIT", "0");
    pb.environment().put("DOCKER_CONFIG", dir.resolve("cli").toString());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    process.destroy(); // SIGTERM to the pid we started
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    // mounts a dying daemon may leave under its own directories
    List<String> left = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String mountPoint = line.split(" ")[4];
      if (mountPoint.startsWith(dir.toString() + "/")) {
        left.add(mountPoint);
      }
    }
    for (int i = left.size() - 1; i >= 0 && !Thread.currentThread().isInterrupted(); i--) {
      unmountQuietly(left.get(i));
    }
  }

  private static void unmountQuietly(String mountPoint) throws IOException {
    try {
      new ProcessBuilder("umount", "-l", mountPoint)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start()
          .waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
