package io.cvmfsthin.cvmfs.fetch;

import io.cvmfsthin.cvmfs.fetch.ProxyList.ProxyAddress;
import io.cvmfsthin.cvmfs.metrics.RepositoryMetrics;
import io.cvmfsthin.cvmfs.object.CountingInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches files of one repository from its stratum servers (spec §10.4-10.6).
 *
 * <p>A request goes to the current server through the current proxy group. A transfer error
 * (connect failure, timeout, short body) is retried on the same server up to {@code maxRetries}
 * times with exponential backoff; an HTTP error, a redirect, or a body the handler refuses (bad
 * hash, HTML instead of a manifest, a decompression bomb) makes it fail over to the next server,
 * which then stays current. A proxy that cannot be reached is skipped for the next member of its
 * group, then the next group; when every proxy failed, the server counts as failed. Redirects are
 * not followed. {@code file://} base URLs read a local directory with the same rules.
 *
 * <p>Connections: HTTP/1.1 keep-alive through the JDK's {@link HttpURLConnection}, which reuses a
 * connection only after its body was read to the end and closed; every answer is therefore read to
 * its end (an error body too, up to 64 KiB) and a connection in doubt (the handler failed) is
 * dropped. The JDK keeps at most {@code http.maxConnections} idle connections per server or proxy,
 * 5 unless set: too few for many fetches at once, whose other connections would be closed after
 * each answer and opened again. Unless the system property is set already (before the first HTTP
 * request of the JVM), this class sets it to {@value #KEEP_ALIVE_CONNECTIONS}.
 *
 * <p>Thread-safe: the current server and proxy group are atomics; no lock is held during I/O.
 */
public final class StratumClient {
  private static final Logger log = LoggerFactory.getLogger(StratumClient.class);
  private static final String USER_AGENT = "cvmfs-thin/0.1 (CernVM-FS reader)";
  static final int KEEP_ALIVE_CONNECTIONS = 64;

  static {
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", Integer.toString(KEEP_ALIVE_CONNECTIONS));
    }
  }

  private final List<String> servers;
  private final List<List<ProxyAddress>> proxyGroups;
  private final FetchSettings settings;
  private final Clock clock;
  private final RepositoryMetrics metrics;
  private final AtomicInteger currentServer = new AtomicInteger();
  private final AtomicInteger currentProxyGroup = new AtomicInteger();
  private final AtomicLong downloads = new AtomicLong(); // bodies handed over successfully
  private final AtomicLong downloadedBytes = new AtomicLong(); // bytes of those bodies
  private final AtomicLong failedFetches = new AtomicLong(); // fetches every server failed
  // when the current server / proxy group stopped being the first one; null while it is
  private final AtomicReference<Instant> serverMovedAt = new AtomicReference<>();
  private final AtomicReference<Instant> proxyGroupMovedAt = new AtomicReference<>();

  public StratumClient(
      List<String> servers, List<List<ProxyAddress>> proxyGroups, FetchSettings settings) {
    this(servers, proxyGroups, settings, Clock.systemUTC());
  }

  /** With a clock for the reset to the first server and proxy group. */
  public StratumClient(
      List<String> servers,
      List<List<ProxyAddress>> proxyGroups,
      FetchSettings settings,
      Clock clock) {
    this(servers, proxyGroups, settings, clock, RepositoryMetrics.NONE);
  }

  /** With a clock, and a sink for what it fetches, from where, how long it took and failovers. */
  public StratumClient(
      List<String> servers,
      List<List<ProxyAddress>> proxyGroups,
      FetchSettings settings,
      Clock clock,
      RepositoryMetrics metrics) {
    this.clock = clock;
    this.metrics = metrics;
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no stratum server configured");
    }
    this.servers = List.copyOf(servers);
    this.proxyGroups = List.copyOf(proxyGroups);
    this.settings = settings;
  }

  public List<String> servers() {
    return servers;
  }

  /** The base URL requests go to first. */
  public String currentServer() {
    return servers.get(currentServer.get());
  }

  /** Files fetched successfully so far (each counted once, whichever server delivered it). */
  public long downloads() {
    return downloads.get();
  }

  /** Bytes received (as served, before inflating) for {@link #downloads()}. */
  public long downloadedBytes() {
    return downloadedBytes.get();
  }

  /** Fetches that failed on every server. */
  public long failedFetches() {
    return failedFetches.get();
  }

  /** Makes the next server current (after content that verified badly as a whole). */
  public void failOver() {
    int from = currentServer.get();
    int to = (from + 1) % servers.size();
    if (servers.size() > 1 && currentServer.compareAndSet(from, to)) {
      serverMoved(to);
      metrics.failedOver(servers.get(from), servers.get(to));
      log.warn("stratum: switching from {} to {}", servers.get(from), servers.get(to));
    }
  }

  private void serverMoved(int to) {
    serverMovedAt.set(to == 0 ? null : clock.instant());
  }

  /** Back to the first server and proxy group once their reset times have passed. */
  private void resetIfDue() {
    Instant now = clock.instant();
    Instant moved = serverMovedAt.get();
    if (moved != null
        && isPositive(settings.hostResetAfter())
        && !now.isBefore(moved.plus(settings.hostResetAfter()))
        && serverMovedAt.compareAndSet(moved, null)) {
      currentServer.set(0);
      log.info("stratum: back to the first server {}", servers.get(0));
    }
    Instant proxyMoved = proxyGroupMovedAt.get();
    if (proxyMoved != null
        && isPositive(settings.proxyResetAfter())
        && !now.isBefore(proxyMoved.plus(settings.proxyResetAfter()))
        && proxyGroupMovedAt.compareAndSet(proxyMoved, null)) {
      currentProxyGroup.set(0);
      log.info("stratum: back to the first proxy group");
    }
  }

  private static boolean isPositive(java.time.Duration d) {
    return d != null && !d.isZero() && !d.isNegative();
  }

  /**
   * Fetches {@code path} (relative to the repository base URL, e.g. {@code .cvmfspublished} or
   * {@code data/ab/cd…C}) and hands the body to {@code handler}, trying each server once.
   *
   * @throws FetchException if every server failed; its message lists each one's reason
   */
  public <T> T fetch(String path, BodyHandler<T> handler) throws IOException {
    resetIfDue();
    List<String> failures = new ArrayList<>();
    IOException last = null;
    int start = currentServer.get();
    for (int i = 0; i < servers.size(); i++) {
      int index = (start + i) % servers.size();
      String url = servers.get(index) + "/" + path;
      try {
        T result = fetchFromServer(url, handler);
        if (i > 0 && currentServer.compareAndSet(start, index)) {
          serverMoved(index);
          metrics.failedOver(servers.get(start), servers.get(index));
          log.warn("stratum: {} failed, {} is now the current server", servers.get(start), url);
        }
        return result;
      } catch (IOException e) {
        if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
          throw e; // interrupted: stop (a SocketTimeoutException is one too, but a server failure)
        }
        last = e;
        metrics.serverFailed(servers.get(index));
        String reason = reason(e);
        failures.add(reason.contains(url) ? reason : url + ": " + reason);
        log.warn("stratum: {} failed: {}", url, reason(e));
      }
    }
    failedFetches.incrementAndGet();
    metrics.fetchFailed();
    throw new FetchException(path, failures, last);
  }

  private <T> T fetchFromServer(String url, BodyHandler<T> handler) throws IOException {
    long delayMillis = settings.backoffInit().toMillis();
    for (int attempt = 0; ; attempt++) {
      try {
        return fetchThroughProxies(url, handler);
      } catch (IOException e) {
        if (!isTransferError(e) || attempt >= settings.maxRetries()) {
          throw e;
        }
        long sleep =
            attempt == 0
                ? ThreadLocalRandom.current().nextLong(delayMillis + 1)
                : Math.min(delayMillis, settings.backoffMax().toMillis());
        delayMillis = Math.min(delayMillis * 2, settings.backoffMax().toMillis());
        log.warn("stratum: {}: {}; retrying in {} ms", url, reason(e), sleep);
        sleepMillis(sleep);
      }
    }
  }

  private <T> T fetchThroughProxies(String url, BodyHandler<T> handler) throws IOException {
    if (url.regionMatches(true, 0, "file:", 0, 5)) {
      return fetchFile(url, handler);
    }
    List<String> proxyFailures = new ArrayList<>();
    int startGroup = currentProxyGroup.get();
    for (int g = 0; g < proxyGroups.size(); g++) {
      int groupIndex = (startGroup + g) % proxyGroups.size();
      List<ProxyAddress> group = proxyGroups.get(groupIndex);
      int first = ThreadLocalRandom.current().nextInt(group.size());
      for (int m = 0; m < group.size(); m++) {
        ProxyAddress proxy = group.get((first + m) % group.size());
        try {
          T result = fetchViaProxy(url, proxy, handler);
          if (g > 0 && currentProxyGroup.compareAndSet(startGroup, groupIndex)) {
            proxyGroupMovedAt.set(groupIndex == 0 ? null : clock.instant());
          }
          return result;
        } catch (ProxyFailure e) {
          proxyFailures.add(proxy + ": " + e.getMessage());
          log.warn("stratum: proxy {} failed for {}: {}", proxy, url, e.getMessage());
        }
      }
    }
    throw new ConnectException("every proxy failed (" + String.join("; ", proxyFailures) + ")");
  }

  /**
   * Through a proxy, content that fails its check may be a stale or damaged copy in the proxy: ask
   * once more with {@code Cache-Control: no-cache} before blaming the server (spec §10.6).
   */
  private <T> T fetchViaProxy(String url, ProxyAddress proxy, BodyHandler<T> handler)
      throws IOException {
    try {
      return fetchOnce(url, proxy, handler, false);
    } catch (ProxyFailure e) {
      throw e;
    } catch (IOException e) {
      if (proxy.isDirect() || isTransferError(e) || e instanceof HttpStatusException) {
        throw e;
      }
      log.warn("stratum: {} via {}: {}; asking again with no-cache", url, proxy, reason(e));
      return fetchOnce(url, proxy, handler, true);
    }
  }

  private <T> T fetchOnce(String url, ProxyAddress proxy, BodyHandler<T> handler, boolean noCache)
      throws IOException {
    long started = System.nanoTime();
    HttpURLConnection c;
    try {
      URL u = URI.create(url).toURL();
      c =
          (HttpURLConnection)
              (proxy.isDirect()
                  ? u.openConnection(Proxy.NO_PROXY)
                  : u.openConnection(
                      new Proxy(
                          Proxy.Type.HTTP,
                          InetSocketAddress.createUnresolved(proxy.host(), proxy.port()))));
    } catch (IllegalArgumentException e) {
      throw new IOException("not a valid URL: " + e.getMessage(), e);
    }
    c.setConnectTimeout((int) settings.connectTimeout().toMillis());
    c.setReadTimeout((int) settings.readTimeout().toMillis());
    c.setInstanceFollowRedirects(false);
    // With useCaches=false the JDK adds "Cache-Control: no-cache" to every request, which would
    // defeat the site proxies; no ResponseCache is installed, so true caches nothing locally.
    c.setUseCaches(true);
    c.setRequestProperty("User-Agent", USER_AGENT);
    if (noCache) {
      c.setRequestProperty("Pragma", "no-cache");
      c.setRequestProperty("Cache-Control", "no-cache");
    }
    try {
      int status;
      try {
        status = c.getResponseCode();
      } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
        if (!proxy.isDirect()) {
          throw new ProxyFailure(e.toString());
        }
        throw e;
      }
      if (status != HttpURLConnection.HTTP_OK) {
        String squid = c.getHeaderField("X-Squid-Error");
        drain(c.getErrorStream());
        if (!proxy.isDirect() && squid != null) {
          throw new ProxyFailure("HTTP " + status + " X-Squid-Error: " + squid);
        }
        throw new HttpStatusException(status);
      }
      long length = c.getContentLengthLong();
      try (LengthCheckedInputStream body =
          new LengthCheckedInputStream(c.getInputStream(), length)) {
        T result = handler.handle(body, url);
        drain(body); // a body read to its end lets the connection be used again
        downloads.incrementAndGet();
        downloadedBytes.addAndGet(body.count());
        metrics.fetched(serverOf(url), body.count(), System.nanoTime() - started);
        log.debug("stratum: fetched {}", url);
        return result;
      }
    } catch (IOException e) {
      c.disconnect(); // do not reuse a connection in an unknown state
      throw e;
    }
  }

  private <T> T fetchFile(String url, BodyHandler<T> handler) throws IOException {
    long started = System.nanoTime();
    Path p;
    try {
      p = Path.of(URI.create(url));
    } catch (IllegalArgumentException e) {
      throw new IOException("not a valid file URL: " + e.getMessage(), e);
    }
    try (InputStream in = Files.newInputStream(p)) {
      T result = handler.handle(in, url);
      downloads.incrementAndGet();
      downloadedBytes.addAndGet(Files.size(p));
      metrics.fetched(serverOf(url), Files.size(p), System.nanoTime() - started);
      return result;
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(p.toString(), null, "not found");
    }
  }

  /** The configured base URL that {@code url} was made from. */
  private String serverOf(String url) {
    for (String server : servers) {
      if (url.startsWith(server + "/")) {
        return server;
      }
    }
    return url;
  }

  private static boolean isTransferError(IOException e) {
    return e instanceof SocketTimeoutException
        || e instanceof EOFException
        || e instanceof SocketException; // ConnectException is one
  }

  private static String reason(IOException e) {
    String m = e.getMessage();
    if (e instanceof NoSuchFileException) {
      return "not found";
    }
    if (e instanceof SocketTimeoutException) {
      return "timed out" + (m == null ? "" : " (" + m + ")");
    }
    if (e instanceof ConnectException) {
      return "cannot connect" + (m == null ? "" : " (" + m + ")");
    }
    if (e instanceof UnknownHostException) {
      return "unknown host " + m;
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static void drain(InputStream in) {
    if (in == null) {
      return;
    }
    try (in) {
      in.skip(64 * 1024);
    } catch (IOException ignored) {
      // the answer is an error anyway
    }
  }

  /** Reads what the handler left of a good answer (up to 64 KiB; more: the JDK drops it). */
  private static void drain(LengthCheckedInputStream body) throws IOException {
    byte[] buf = new byte[8192];
    for (int left = 64 * 1024; left > 0; ) {
      int n = body.read(buf, 0, Math.min(buf.length, left));
      if (n < 0) {
        return;
      }
      left -= n;
    }
  }

  private static void sleepMillis(long millis) throws InterruptedIOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted during retry backoff");
    }
  }

  @Override
  public String toString() {
    return "StratumClient" + servers + " via " + proxyGroups;
  }

  /** The server answered with another status than 200. */
  private static final class HttpStatusException extends IOException {
    private static final long serialVersionUID = 1L;

    HttpStatusException(int status) {
      super("HTTP " + status + (status / 100 == 3 ? " (redirect, not followed)" : ""));
    }
  }

  /** The proxy, not the server, failed: try the next proxy. */
  private static final class ProxyFailure extends IOException {
    private static final long serialVersionUID = 1L;

    ProxyFailure(String message) {
      super(message);
    }
  }

  /** Ends with an {@link EOFException} when the body is shorter than its Content-Length. */
  private static final class LengthCheckedInputStream extends CountingInputStream {
    private final long expected;

    LengthCheckedInputStream(InputStream in, long expected) {
      super(in);
      this.expected = expected;
    }

    @Override
    protected void ended(long total) throws EOFException {
      if (expected >= 0 && total < expected) {
        throw new EOFException(
            String.format(Locale.ROOT, "truncated body: %d of %d bytes", total, expected));
      }
    }
  }
}
