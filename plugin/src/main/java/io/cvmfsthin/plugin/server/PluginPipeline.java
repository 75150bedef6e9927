package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.concurrent.Executor;

/**
 * The pipeline of one dockerd connection, in order: HTTP codec; {@link ApplyDiffHandler} (streams
 * {@code ApplyDiff} bodies, before anything collects them); {@link JsonBodyAggregator} (every other
 * body, 1 MiB at most, 413 beyond); {@link DiffHandler} (streams {@code Diff} answers); {@link
 * JsonCallHandler} (everything else, unknown endpoints included). Driver calls run on {@code
 * workers}, never on the event loop.
 */
final class PluginPipeline {
  private PluginPipeline() {}

  /** Sets up each new connection's pipeline. */
  static ChannelInitializer<Channel> initializer(
      PluginApi api, GraphDriverBackend backend, Executor workers) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast(new HttpServerCodec())
            .addLast(new ApplyDiffHandler(backend, workers))
            .addLast(new JsonBodyAggregator())
            .addLast(new DiffHandler(api, backend, workers))
            .addLast(new JsonCallHandler(api, workers));
      }
    };
  }
}
