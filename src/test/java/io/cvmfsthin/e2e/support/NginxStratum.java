package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CVMFS stratum as users serve one: Debian's nginx on a free loopback port serving a storage
 * directory at {@code /cvmfs/}, with an access log of every request (path, status, bytes).
 */
public final class NginxStratum implements AutoCloseable {
  private final Path dir;
  private final Path storage;
  private final int port;
  private Process process;

  public NginxStratum(Path dir, Path storage) throws IOException {
    this.dir = dir.toAbsolutePath();
    this.storage = storage.toAbsolutePath();
    this.port = LocalRegistry.freePort();
  }

  /** One access-log line. */
  public record Request(String path, int status, long bytes) {}

  /** {@code http://127.0.0.1:PORT/cvmfs/@fqrn@}, CVMFS_SERVER_URL syntax. */
  public String serverUrl() {
    return "http://127.0.0.1:" + port + "/cvmfs/@fqrn@";
  }

  public NginxStratum start() throws IOException {
    Files.createDirectories(dir);
    Files.createDirectories(storage);
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "daemon off;",
            "user root;",
            "worker_processes 1;",
            "pid " + dir.resolve("nginx.pid") + ";",
            "error_log " + dir.resolve("error.log") + ";",
            "events { worker_connections 256; }",
            "http {",
            "  log_format objects '$request_uri $status $body_bytes_sent';",
            "  access_log " + accessLog() + " objects;",
            "  server {",
            "    listen 127.0.0.1:" + port + ";",
            "    location /cvmfs/ { alias " + storage + "/; }",
            "  }",
            "}",
            ""));
    ProcessBuilder pb = new ProcessBuilder("nginx", "-c", conf.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nginx.out").toFile()));
    process = pb.start();
    Instant t0 = Instant.now();
    while (Duration.between(t0, Instant.now()).toSeconds() < 30) {
      if (!process.isAlive()) {
        throw new IOException("nginx exited: " + Files.readString(dir.resolve("nginx.out")));
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection)
                URI.create("http://127.0.0.1:" + port + "/cvmfs/").toURL().openConnection();
        c.setConnectTimeout(300);
        c.getResponseCode();
        return this;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IOException("nginx did not answer on port " + port);
  }

  public Path accessLog() {
    return dir.resolve("access.log");
  }

  /** Every request so far. */
  public List<Request> requests() throws IOException {
    if (!Files.exists(accessLog())) {
      return List.of();
    }
    return Files.readAllLines(accessLog()).stream()
        .map(l -> l.split(" "))
        .filter(f -> f.length == 3)
        .map(f -> new Request(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2])))
        .toList();
  }

  /** Requests after the first {@code skip}. */
  public List<Request> requestsSince(int skip) throws IOException {
    List<Request> all = requests();
    return all.subList(Math.min(skip, all.size()), all.size());
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

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
