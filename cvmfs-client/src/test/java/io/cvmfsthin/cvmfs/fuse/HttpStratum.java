package io.cvmfsthin.cvmfs.fuse;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A static HTTP stratum on 127.0.0.1 serving a directory in place (URL path = file path below the
 * root), logging every request path; faults per path suffix: a delay or a corrupted body. Unlike
 * the reader's {@code TestStratum} (package-private in another package) it can be stopped and
 * started again on the same port, and it logs the paths in order.
 */
final class HttpStratum implements AutoCloseable {
  static {
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final Path root;
  private final int port;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final Map<String, Long> delays = new ConcurrentHashMap<>();
  private final Map<String, Boolean> corrupt = new ConcurrentHashMap<>();
  private HttpServer server;
  private ExecutorService executor;

  private HttpStratum(Path root, int port) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    start(port);
    this.port = server.getAddress().getPort();
  }

  static HttpStratum serve(Path root) throws IOException {
    return new HttpStratum(root, 0);
  }

  /** The base URL of repository {@code fqrn} ({@code @fqrn@} is fine too). */
  String url(String fqrn) {
    return "http://127.0.0.1:" + port + "/cvmfs/" + fqrn;
  }

  /** Every request path so far, in order. */
  List<String> requests() {
    return new ArrayList<>(log);
  }

  void clearLog() {
    log.clear();
  }

  void delay(String suffix, long millis) {
    delays.put(suffix, millis);
  }

  /** Answers paths ending in {@code suffix} with their bytes, one of them flipped. */
  void corrupt(String suffix) {
    corrupt.put(suffix, true);
  }

  void clearFaults() {
    delays.clear();
    corrupt.clear();
  }

  /** Stops answering: connections are refused until {@link #restart}. */
  synchronized void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  synchronized void restart() throws IOException {
    start(port);
  }

  private synchronized void start(int p) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 64);
    executor = Executors.newFixedThreadPool(16);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      log.add(path);
      for (Map.Entry<String, Long> d : delays.entrySet()) {
        if (path.endsWith(d.getKey())) {
          Thread.sleep(d.getValue());
        }
      }
      Path file = root.resolve(path.substring(1)).normalize();
      if (path.contains("..") || !file.startsWith(root) || !Files.isRegularFile(file)) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      boolean flip = corrupt.keySet().stream().anyMatch(path::endsWith);
      long size = Files.size(file);
      ex.sendResponseHeaders(200, size == 0 ? -1 : size);
      try (InputStream in = Files.newInputStream(file);
          OutputStream out = ex.getResponseBody()) {
        if (flip) {
          byte[] b = in.readAllBytes();
          b[b.length / 2] ^= 0x55;
          out.write(b);
        } else {
          in.transferTo(out);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
