package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Collects the body of every request but {@code ApplyDiff} (which {@link ApplyDiffHandler} streams
 * before it gets here) into one {@code FullHttpRequest}, up to {@link #MAX_JSON_BYTES}. A larger
 * body is answered {@code 413 {"Err": ...}} and the connection closed.
 */
final class JsonBodyAggregator extends HttpObjectAggregator {
  static final int MAX_JSON_BYTES = 1 << 20;

  JsonBodyAggregator() {
    super(MAX_JSON_BYTES);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    PluginRequest request = PluginRequest.of((HttpRequest) oversized).closing();
    request.respond(
        ctx, PluginApi.error(413, request.path() + ": JSON body larger than " + MAX_JSON_BYTES));
  }
}
