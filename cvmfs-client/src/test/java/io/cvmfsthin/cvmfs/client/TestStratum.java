package io.cvmfsthin.cvmfs.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A static HTTP stratum on 127.0.0.1 serving a directory in place (URL path = file path below the
 * root), with per-path faults for bad-input tests and a request counter.
 */
final class TestStratum implements AutoCloseable {
  /** What to answer instead of the file; null fields keep the real value. */
  record Fault(int status, byte[] body, int truncateAfter, long delayMillis, boolean cached) {
    Fault(int status, byte[] body, int truncateAfter, long delayMillis) {
      this(status, body, truncateAfter, delayMillis, false);
    }

    /** A stale proxy copy: served unless the request says Cache-Control: no-cache. */
    static Fault staleCopy(byte[] body) {
      return new Fault(200, body, -1, 0, true);
    }

    static Fault status(int status, String body) {
      return new Fault(status, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), -1, 0);
    }

    static Fault body(byte[] body) {
      return new Fault(200, body, -1, 0);
    }

    static Fault truncate(int bytes) {
      return new Fault(200, null, bytes, 0);
    }

    static Fault delay(long millis) {
      return new Fault(200, null, -1, millis);
    }
  }

  static {
    // Without it, small answers wait ~40 ms for delayed ACKs (Nagle), which slows tests down.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final Path root;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, Fault> faults = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Set<String> connections = ConcurrentHashMap.newKeySet(); // client ip:port
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger maxActive = new AtomicInteger();

  private TestStratum(Path root) throws IOException {
    this.root = root;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.executor = Executors.newFixedThreadPool(48);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Serves {@code root}: {@code http://127.0.0.1:PORT/x} is {@code root/x}. */
  static TestStratum serve(Path root) throws IOException {
    return new TestStratum(root);
  }

  /** The base URL of a repository below {@code cvmfs/}. */
  String url(String fqrn) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/cvmfs/" + fqrn;
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Answers requests whose path ends with {@code suffix} with the fault. */
  void fault(String suffix, Fault fault) {
    faults.put(suffix, fault);
  }

  void clearFaults() {
    faults.clear();
  }

  /** Requests so far whose path ends with {@code suffix}. */
  int requests(String suffix) {
    return requests.entrySet().stream()
        .filter(e -> e.getKey().endsWith(suffix))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  /** TCP connections accepted so far (told apart by the client's address and port). */
  int connections() {
    return connections.size();
  }

  /** Requests so far whose path contains {@code part}. */
  int requestsContaining(String part) {
    return requests.entrySet().stream()
        .filter(e -> e.getKey().contains(part))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  /** Forgets the request counts and the most requests at once. */
  void resetCounts() {
    requests.clear();
    maxActive.set(0);
  }

  /** The most requests answered at once so far. */
  int maxConcurrentRequests() {
    return maxActive.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    connections.add(ex.getRemoteAddress().toString());
    maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
    try {
      answer(ex);
    } finally {
      active.decrementAndGet();
    }
  }

  private void answer(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      Fault fault = null;
      for (Map.Entry<String, Fault> f : faults.entrySet()) {
        if (path.endsWith(f.getKey())) {
          fault = f.getValue();
        }
      }
      if (fault != null
          && fault.cached()
          && "no-cache".equals(ex.getRequestHeaders().getFirst("Cache-Control"))) {
        fault = null;
      }
      if (fault != null && fault.delayMillis() > 0) {
        Thread.sleep(fault.delayMillis());
      }
      if (fault != null && fault.body() != null) {
        ex.sendResponseHeaders(fault.status(), fault.body().length);
        ex.getResponseBody().write(fault.body());
        return;
      }
      Path file = root.resolve(path.substring(1)).normalize();
      if (path.contains("..") || !file.startsWith(root) || !Files.isRegularFile(file)) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      long size = Files.size(file);
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      ex.sendResponseHeaders(200, size == 0 ? -1 : size);
      try (InputStream in = Files.newInputStream(file);
          OutputStream out = ex.getResponseBody()) {
        if (fault != null && fault.truncateAfter() >= 0) {
          out.write(in.readNBytes(fault.truncateAfter()));
          out.flush();
          throw new IOException("truncated on purpose"); // closes the connection early
        }
        in.transferTo(out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
