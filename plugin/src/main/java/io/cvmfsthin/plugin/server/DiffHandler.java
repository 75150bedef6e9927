package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.Executor;

/**
 * Answers {@code Diff} with the layer's tar, streamed as a chunked response by a {@link
 * DiffTransfer}; other requests pass on. Tells the transfer in progress when the channel becomes
 * writable again or closes, so no worker waits on the socket.
 *
 * <p>One per connection; dockerd sends one request at a time on a connection.
 */
final class DiffHandler extends ChannelInboundHandlerAdapter {
  private final PluginApi api;
  private final GraphDriverBackend backend;
  private final Executor workers;

  private DiffTransfer transfer; // event loop only: the last Diff answer of this connection

  DiffHandler(PluginApi api, GraphDriverBackend backend, Executor workers) {
    this.api = api;
    this.backend = backend;
    this.workers = workers;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    PluginRequest request =
        msg instanceof FullHttpRequest full && full.decoderResult().isSuccess()
            ? PluginRequest.of(full)
            : null;
    if (request == null || !request.path().equals(PluginApi.DIFF)) {
      ctx.fireChannelRead(msg);
      return;
    }
    FullHttpRequest full = (FullHttpRequest) msg;
    try {
      byte[] body = ByteBufUtil.getBytes(full.content());
      DiffTransfer t = new DiffTransfer(ctx, request, workers);
      transfer = t;
      request.submit(ctx, workers, () -> t.open(() -> openTar(request, body)));
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private DiffTransfer.Opened openTar(PluginRequest request, byte[] body) throws Exception {
    PluginApi.LayerArgs args = api.parseLayerArgs(request.path(), body);
    return new DiffTransfer.Opened(args.id(), backend.diff(args.id(), args.parent()));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (transfer != null && ctx.channel().isWritable()) {
      transfer.resume();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (transfer != null) {
      transfer.resume(); // it sees the closed channel and closes the driver's stream
    }
    super.channelInactive(ctx);
  }
}
