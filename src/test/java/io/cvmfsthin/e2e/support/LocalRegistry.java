package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Debian's docker-registry on a free loopback port with storage in the test's directory. */
public final class LocalRegistry implements AutoCloseable {
  private final Path dir;
  private final int port;
  private Process process;

  public LocalRegistry(Path dir) throws IOException {
    this.dir = dir.toAbsolutePath();
    this.port = freePort();
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** host:port, usable in image references (loopback needs no --insecure-registry). */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public Path log() {
    return dir.resolve("registry.log");
  }

  public LocalRegistry start() throws IOException {
    Files.createDirectories(dir.resolve("storage"));
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "version: 0.1",
            "log:",
            "  level: info",
            "  accesslog:",
            "    disabled: false",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + dir.resolve("storage"),
            "  delete:",
            "    enabled: true",
            "http:",
            "  addr: " + address(),
            ""));
    ProcessBuilder pb = new ProcessBuilder("docker-registry", "serve", config.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    process = pb.start();
    Instant t0 = Instant.now();
    while (Duration.between(t0, Instant.now()).toSeconds() < 30) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited: " + Files.readString(log()));
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create("http://" + address() + "/v2/").toURL().openConnection();
        c.setConnectTimeout(500);
        if (c.getResponseCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // retry
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    throw new IOException("docker-registry did not answer on " + address());
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
