/**
 * Edge: the Netty HTTP/1.1 server on dockerd's Unix socket. Small JSON calls are collected (1 MiB
 * at most) and answered by {@link io.cvmfsthin.plugin.protocol.PluginApi}; {@code ApplyDiff} bodies
 * stream into the driver with backpressure and {@code Diff} answers stream out chunk by chunk.
 * Driver work runs on a bounded executor, never on the event loop.
 */
package io.cvmfsthin.plugin.server;
