package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * What a handler keeps of one request once its head has been read: the endpoint, whether the
 * connection stays open after the answer, and when it arrived. Immutable, so a worker answering the
 * request reads it safely; handlers keep no other request state that workers see.
 */
record PluginRequest(String path, boolean keepAlive, long startNanos) {
  static final String JSON_TYPE = "application/vnd.docker.plugins.v1.1+json";

  static PluginRequest of(HttpRequest request) {
    return new PluginRequest(
        new QueryStringDecoder(request.uri()).path(),
        HttpUtil.isKeepAlive(request),
        System.nanoTime());
  }

  /** The same request, answered with {@code Connection: close}. */
  PluginRequest closing() {
    return new PluginRequest(path, false, startNanos);
  }

  long elapsedMs() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Sends a JSON answer; closes the connection after it unless kept alive. Any thread. */
  void respond(ChannelHandlerContext ctx, PluginApi.Answer answer) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(answer.status()),
            Unpooled.wrappedBuffer(answer.json()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON_TYPE);
    HttpUtil.setContentLength(response, answer.json().length);
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Runs {@code work} on the driver executor; if the executor refuses it, answers 503 and returns
   * false.
   */
  boolean submit(ChannelHandlerContext ctx, Executor workers, Runnable work) {
    try {
      workers.execute(work);
      return true;
    } catch (RejectedExecutionException e) {
      respond(ctx, PluginApi.error(503, path + ": plugin is overloaded or shutting down"));
      return false;
    }
  }
}
