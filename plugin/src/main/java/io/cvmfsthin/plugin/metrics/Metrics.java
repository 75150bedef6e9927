package io.cvmfsthin.plugin.metrics;

import io.cvmfsthin.cvmfs.metrics.ClientMetrics;
import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import io.grpc.ServerInterceptor;
import java.io.IOException;

/**
 * A serving command's metrics: off (everything records nothing, nothing listens) unless an address
 * is set, else one {@link PluginMetrics} registry and its endpoint. Made once by the command, which
 * hands {@link #client()} and the decorators to what it wires and closes this last.
 */
public final class Metrics implements AutoCloseable {
  private final PluginMetrics registry; // null: off
  private final MetricsServer server; // null: off

  private Metrics(PluginMetrics registry, MetricsServer server) {
    this.registry = registry;
    this.server = server;
  }

  /**
   * Starts the endpoint at {@code address}, or nothing if it is null or blank.
   *
   * @param setting the option or variable the address came from, for error messages
   * @throws IllegalArgumentException if the address is not a loopback HOST:PORT
   * @throws IOException if it cannot be bound
   */
  public static Metrics start(String address, String setting) throws IOException {
    if (address == null || address.isBlank()) {
      return new Metrics(null, null);
    }
    MetricsAddress parsed = MetricsAddress.parse(address, setting);
    PluginMetrics registry = new PluginMetrics();
    return new Metrics(registry, MetricsServer.start(parsed, registry.registry()));
  }

  public boolean enabled() {
    return registry != null;
  }

  /** For the repository clients' settings. */
  public ClientMetrics client() {
    return registry == null ? ClientMetrics.NONE : registry;
  }

  /** For recorded prefetch. */
  public PrefetchMetrics prefetch() {
    return registry == null ? PrefetchMetrics.NONE : registry;
  }

  /** {@code backend}, timed call by call when metrics are on. */
  public GraphDriverBackend meter(GraphDriverBackend backend) {
    return registry == null ? backend : new MeteredBackend(backend, registry);
  }

  /** The snapshotter's interceptors: none when off. */
  public ServerInterceptor[] snapshotterInterceptors() {
    return registry == null
        ? new ServerInterceptor[0]
        : new ServerInterceptor[] {new MeteredCalls(registry)};
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
