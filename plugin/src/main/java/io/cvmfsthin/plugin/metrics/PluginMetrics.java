package io.cvmfsthin.plugin.metrics;

import io.cvmfsthin.cvmfs.metrics.ClientMetrics;
import io.cvmfsthin.cvmfs.metrics.RepositoryMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The metrics of one process, in a registry of its own (never the library's global one): the
 * client's fetches, cache and FUSE calls per repository, mounts, recorded prefetch, and the calls
 * of the two front ends (graph driver, containerd snapshotter). Made once by the command that
 * serves and handed to what reports; thread-safe. The names are listed in README.md (Metrics).
 */
public final class PluginMetrics implements ClientMetrics, PrefetchMetrics {
  static final String PREFIX = "cvmfsthin_";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter fetchObjects =
      counter("fetch_objects", "Files fetched from a stratum server", "repository", "server");
  private final Counter fetchBytes =
      counter("fetch_bytes", "Bytes fetched (as served, compressed)", "repository", "server");
  private final Histogram fetchSeconds =
      histogram(
          "fetch_duration_seconds",
          "Time of one fetch, request to verified body",
          0.0005,
          16,
          "repository",
          "server");
  private final Counter serverErrors =
      counter(
          "fetch_server_errors",
          "Requests a server failed (the next server is tried)",
          "repository",
          "server");
  private final Counter fetchFailures =
      counter("fetch_failures", "Fetches that failed on every server", "repository");
  private final Counter failovers =
      counter("fetch_failovers", "Moves of the current server", "repository", "from", "to");
  private final Counter cacheHits =
      counter("cache_hits", "Object requests answered from the cache", "repository");
  private final Counter cacheMisses =
      counter("cache_misses", "Object requests that had to fetch", "repository");
  private final Counter cacheEvictions =
      counter("cache_evictions", "Objects evicted to stay under the quota", "repository");
  private final Counter cacheEvictedBytes =
      counter("cache_evicted_bytes", "Bytes evicted to stay under the quota", "repository");
  private final Histogram fuseSeconds =
      histogram(
          "fuse_request_duration_seconds",
          "FUSE requests answered and their time",
          0.00001,
          20,
          "repository",
          "transport",
          "operation");
  private final Gauge mounted =
      Gauge.builder()
          .name(PREFIX + "mounted_repositories")
          .help("FUSE mounts of the repository now (0 or 1)")
          .labelNames("repository")
          .register(registry);
  private final Gauge layersMounted =
      Gauge.builder()
          .name(PREFIX + "mounted_layers")
          .help("Graph-driver layers mounted now (Get without its Put)")
          .register(registry);
  private final Counter prefetchLists =
      counter("prefetch_lists", "Recorded prefetch lists replayed, by state", "state");
  private final Counter prefetchFiles =
      counter("prefetch_files", "Files of replayed lists, by outcome", "repository", "outcome");
  private final Histogram driverSeconds =
      histogram(
          "graphdriver_call_duration_seconds",
          "Graph-driver calls from dockerd and their time",
          0.0005,
          18,
          "call");
  private final Counter driverErrors =
      counter("graphdriver_call_errors", "Graph-driver calls answered with an error", "call");
  private final Histogram snapshotterSeconds =
      histogram(
          "snapshotter_call_duration_seconds",
          "containerd snapshotter calls and their time",
          0.0005,
          18,
          "method");
  private final Counter snapshotterErrors =
      counter(
          "snapshotter_call_errors",
          "containerd snapshotter calls answered with a gRPC error",
          "method",
          "code");

  // cache size per repository: read live while the cache is open, the last value once closed
  private final Map<String, LongSupplier> cacheUsed = new ConcurrentHashMap<>();
  private final Map<String, Long> cacheQuota = new ConcurrentHashMap<>();
  private final Map<String, Repository> repositories = new ConcurrentHashMap<>();

  public PluginMetrics() {
    GaugeWithCallback.builder()
        .name(PREFIX + "cache_used_bytes")
        .help("Bytes in the repository's object cache")
        .labelNames("repository")
        .callback(cb -> cacheUsed.forEach((fqrn, used) -> cb.call(used.getAsLong(), fqrn)))
        .register(registry);
    GaugeWithCallback.builder()
        .name(PREFIX + "cache_quota_bytes")
        .help("The object cache's quota, 0 for none")
        .labelNames("repository")
        .callback(cb -> cacheQuota.forEach((fqrn, quota) -> cb.call(quota, fqrn)))
        .register(registry);
  }

  /** What the endpoint serves. */
  public PrometheusRegistry registry() {
    return registry;
  }

  @Override
  public RepositoryMetrics repository(String fqrn) {
    return repositories.computeIfAbsent(fqrn, Repository::new);
  }

  /** One graph-driver call ({@code Create}, {@code Get}, ...) answered after {@code nanos}. */
  void driverCall(String call, long nanos, boolean failed) {
    driverSeconds.labelValues(call).observe(seconds(nanos));
    if (failed) {
      driverErrors.labelValues(call).inc();
    }
  }

  void layersMounted(int count) {
    layersMounted.set(count);
  }

  /** One snapshotter call answered with gRPC status {@code code} ({@code OK} for success). */
  void snapshotterCall(String method, String code, long nanos) {
    snapshotterSeconds.labelValues(method).observe(seconds(nanos));
    if (!code.equals("OK")) {
      snapshotterErrors.labelValues(method, code).inc();
    }
  }

  @Override
  public void listStarted() {
    prefetchLists.labelValues("started").inc();
  }

  @Override
  public void listEnded(boolean stopped) {
    prefetchLists.labelValues(stopped ? "stopped" : "done").inc();
  }

  @Override
  public void fileEnded(String fqrn, String outcome) {
    prefetchFiles.labelValues(fqrn, outcome).inc();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private Counter counter(String name, String help, String... labels) {
    return Counter.builder()
        .name(PREFIX + name)
        .help(help)
        .labelNames(labels)
        .withoutExemplars()
        .register(registry);
  }

  /** Classic buckets from {@code first} seconds, doubling, {@code count} of them. */
  private Histogram histogram(String name, String help, double first, int count, String... labels) {
    return Histogram.builder()
        .name(PREFIX + name)
        .help(help)
        .labelNames(labels)
        .classicOnly()
        .classicExponentialUpperBounds(first, 2, count)
        .withoutExemplars()
        .register(registry);
  }

  /**
   * The sink of one repository. The data points of the frequent events are kept: a cache hit is one
   * add, a FUSE request two map reads and an observation.
   */
  private final class Repository implements RepositoryMetrics {
    private final String fqrn;
    private final CounterDataPoint hits;
    private final CounterDataPoint misses;
    // transport -> operation -> data point
    private final Map<String, Map<String, DistributionDataPoint>> fuse = new ConcurrentHashMap<>();

    Repository(String fqrn) {
      this.fqrn = fqrn;
      this.hits = cacheHits.labelValues(fqrn);
      this.misses = cacheMisses.labelValues(fqrn);
    }

    @Override
    public void fetched(String server, long bytes, long nanos) {
      fetchObjects.labelValues(fqrn, server).inc();
      fetchBytes.labelValues(fqrn, server).inc(bytes);
      fetchSeconds.labelValues(fqrn, server).observe(seconds(nanos));
    }

    @Override
    public void serverFailed(String server) {
      serverErrors.labelValues(fqrn, server).inc();
    }

    @Override
    public void fetchFailed() {
      fetchFailures.labelValues(fqrn).inc();
    }

    @Override
    public void failedOver(String fromServer, String toServer) {
      failovers.labelValues(fqrn, fromServer, toServer).inc();
    }

    @Override
    public void cacheHit() {
      hits.inc();
    }

    @Override
    public void cacheMiss() {
      misses.inc();
    }

    @Override
    public void cacheEvicted(long bytes) {
      cacheEvictions.labelValues(fqrn).inc();
      cacheEvictedBytes.labelValues(fqrn).inc(bytes);
    }

    @Override
    public void cacheOpened(LongSupplier usedBytes, long quotaBytes) {
      cacheUsed.put(fqrn, usedBytes);
      cacheQuota.put(fqrn, Math.max(0, quotaBytes));
    }

    @Override
    public void cacheClosed() {
      LongSupplier used = cacheUsed.get(fqrn);
      if (used != null) {
        long last = used.getAsLong();
        cacheUsed.put(fqrn, () -> last);
      }
    }

    @Override
    public void fuseCall(String transport, String operation, long nanos) {
      fuse.computeIfAbsent(transport, t -> new ConcurrentHashMap<>())
          .computeIfAbsent(operation, op -> fuseSeconds.labelValues(fqrn, transport, op))
          .observe(seconds(nanos));
    }

    @Override
    public void mounted() {
      mounted.labelValues(fqrn).inc();
    }

    @Override
    public void unmounted() {
      mounted.labelValues(fqrn).dec();
    }
  }
}
