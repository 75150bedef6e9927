/**
 * Metrics (edge): the process's Prometheus registry ({@link
 * io.cvmfsthin.plugin.metrics.PluginMetrics}, which implements the client's {@code ClientMetrics}),
 * the metered decorators of the graph-driver backend and the snapshotter's gRPC calls, the loopback
 * {@code /metrics} endpoint, and the text parsing and table of {@code cvmfs-thin stats}. Off unless
 * an address is set; made once per process by the command that serves.
 */
package io.cvmfsthin.plugin.metrics;
