/**
 * Edge: the Netty HTTP/1.1 server on dockerd's Unix socket, as a pipeline of small handlers ({@link
 * io.cvmfsthin.plugin.server.PluginPipeline}): {@code ApplyDiff} bodies stream into the driver with
 * backpressure, other bodies are collected (1 MiB at most) and answered by {@link
 * io.cvmfsthin.plugin.protocol.PluginApi}, {@code Diff} answers stream out chunk by chunk as the
 * socket takes them. Driver work runs on a bounded executor, never on the event loop; what a worker
 * needs of a request is captured in a {@link io.cvmfsthin.plugin.server.PluginRequest}.
 */
package io.cvmfsthin.plugin.server;
