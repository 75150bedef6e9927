package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler: every aggregated request the streaming handlers left is a JSON call, answered
 * by {@link PluginApi} on a worker (unknown endpoints included: 404 with {@code Err}). A request
 * the HTTP decoder could not parse is answered 400 and the connection closed.
 */
final class JsonCallHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(JsonCallHandler.class);

  private final PluginApi api;
  private final Executor workers;

  JsonCallHandler(PluginApi api, Executor workers) {
    this.api = api;
    this.workers = workers;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
    PluginRequest request = PluginRequest.of(msg);
    if (msg.decoderResult().isFailure()) {
      request
          .closing()
          .respond(
              ctx, PluginApi.error(400, "malformed HTTP request: " + msg.decoderResult().cause()));
      return;
    }
    byte[] body = ByteBufUtil.getBytes(msg.content()); // msg is released on return
    request.submit(
        ctx,
        workers,
        () -> {
          PluginApi.Answer answer = api.call(request.path(), body);
          log.debug("{} status={} in {} ms", request.path(), answer.status(), request.elapsedMs());
          request.respond(ctx, answer);
        });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("plugin connection {} failed: {}", ctx.channel(), PluginApi.describe(cause));
    ctx.close();
  }
}
