package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection. dockerd sends one request at a time per connection (no pipelining), so the
 * handler keeps the state of the request in progress: a bounded JSON body, or for {@code ApplyDiff}
 * a {@link BodyStream} a worker is already extracting from.
 */
final class PluginHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(PluginHandler.class);
  static final int MAX_JSON_BYTES = 1 << 20;
  private static final String JSON_TYPE = "application/vnd.docker.plugins.v1.1+json";

  private final PluginApi api;
  private final GraphDriverBackend backend;
  private final Executor workers;

  // event-loop state of the request in progress
  private String path;
  private boolean keepAlive;
  private CompositeByteBuf body;
  private BodyStream stream;
  private boolean discarding;
  private long startNanos;

  PluginHandler(PluginApi api, GraphDriverBackend backend, Executor workers) {
    this.api = api;
    this.backend = backend;
    this.workers = workers;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest request) {
        startRequest(ctx, request);
      }
      if (msg instanceof HttpContent content) {
        onContent(ctx, content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void startRequest(ChannelHandlerContext ctx, HttpRequest request) {
    startNanos = System.nanoTime();
    keepAlive = HttpUtil.isKeepAlive(request);
    discarding = false;
    if (request.decoderResult().isFailure()) {
      path = "(malformed)";
      keepAlive = false;
      discarding = true;
      respond(
          ctx, PluginApi.error(400, "malformed HTTP request: " + request.decoderResult().cause()));
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    path = uri.path();
    if (path.equals(PluginApi.APPLY_DIFF)) {
      startApplyDiff(ctx, uri);
    } else {
      body = ctx.alloc().compositeBuffer();
    }
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (stream != null) {
      stream.offer(content.content().retain());
      if (last) {
        stream.end();
        stream = null;
      }
      return;
    }
    if (discarding || body == null) {
      return;
    }
    ByteBuf chunk = content.content();
    if (body.readableBytes() + chunk.readableBytes() > MAX_JSON_BYTES) {
      releaseBody();
      discarding = true;
      keepAlive = false;
      respond(ctx, PluginApi.error(413, path + ": JSON body larger than " + MAX_JSON_BYTES));
      return;
    }
    body.addComponent(true, chunk.retain());
    if (last) {
      byte[] bytes = new byte[body.readableBytes()];
      body.readBytes(bytes);
      releaseBody();
      dispatch(ctx, path, bytes);
    }
  }

  private void startApplyDiff(ChannelHandlerContext ctx, QueryStringDecoder uri) {
    String reqPath = path;
    String id;
    try {
      id = PluginApi.checkQueryId(reqPath, first(uri, "id"));
    } catch (IllegalArgumentException e) {
      discarding = true;
      keepAlive = false;
      respond(ctx, PluginApi.error(500, e.getMessage()));
      return;
    }
    String parent = first(uri, "parent");
    BodyStream in = new BodyStream(ctx.channel());
    stream = in;
    submit(
        ctx,
        reqPath,
        () -> {
          PluginApi.Answer answer;
          try {
            long size = backend.applyDiff(id, parent, in);
            in.drain();
            answer = PluginApi.applyDiffAnswer(size);
            log.debug(
                "{} id={} parent={} size={} body={}B in {} ms",
                reqPath,
                id,
                parent,
                size,
                in.totalBytes(),
                elapsedMs());
          } catch (IOException | RuntimeException e) {
            log.warn("ApplyDiff of layer {} failed: {}", id, PluginApi.describe(e));
            answer = PluginApi.error(500, PluginApi.describe(e));
            try {
              in.drain();
            } catch (IOException drainFailure) {
              return; // the connection is gone; nobody to answer
            }
          } finally {
            in.close();
          }
          respond(ctx, answer);
        });
  }

  private void dispatch(ChannelHandlerContext ctx, String reqPath, byte[] bytes) {
    if (reqPath.equals(PluginApi.DIFF)) {
      submit(ctx, reqPath, () -> streamDiff(ctx, reqPath, bytes));
      return;
    }
    submit(
        ctx,
        reqPath,
        () -> {
          PluginApi.Answer answer = api.call(reqPath, bytes);
          log.debug("{} status={} in {} ms", reqPath, answer.status(), elapsedMs());
          respond(ctx, answer);
        });
  }

  /** Diff: errors before the first byte are Err answers; after it, only a broken connection. */
  private void streamDiff(ChannelHandlerContext ctx, String reqPath, byte[] bytes) {
    InputStream tar;
    String id;
    try {
      PluginApi.LayerArgs args = api.parseLayerArgs(reqPath, bytes);
      id = args.id();
      tar = backend.diff(args.id(), args.parent());
    } catch (IOException | RuntimeException e) {
      respond(ctx, PluginApi.error(500, PluginApi.describe(e)));
      return;
    }
    long sent = 0;
    try (tar) {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-tar");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.writeAndFlush(head);
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = tar.read(buf)) >= 0) {
        if (n == 0) {
          continue;
        }
        ChannelFuture f =
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n)));
        sent += n;
        if (!ctx.channel().isWritable()) {
          f.awaitUninterruptibly(); // backpressure: wait until the socket takes it
        }
        if (!ctx.channel().isActive()) {
          throw new IOException("dockerd closed the connection");
        }
      }
      ChannelFuture done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      if (!keepAlive) {
        done.addListener(ChannelFutureListener.CLOSE);
      }
      log.debug("{} id={} sent {} bytes in {} ms", reqPath, id, sent, elapsedMs());
    } catch (IOException | RuntimeException e) {
      // Never end a failed stream cleanly: dockerd must see a broken tar, not a short one.
      log.warn(
          "Diff of layer {} failed after {} bytes, closing the connection: {}",
          id,
          sent,
          PluginApi.describe(e));
      ctx.close();
    }
  }

  private void submit(ChannelHandlerContext ctx, String reqPath, Runnable work) {
    try {
      workers.execute(work);
    } catch (RejectedExecutionException e) {
      if (stream != null) {
        stream.abort(new IOException("plugin overloaded"));
      }
      respond(ctx, PluginApi.error(503, reqPath + ": plugin is overloaded or shutting down"));
    }
  }

  private void respond(ChannelHandlerContext ctx, PluginApi.Answer answer) {
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

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (stream != null) {
      stream.abort(new IOException("dockerd closed the connection mid-body"));
      stream = null;
    }
    releaseBody();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("plugin connection failed during {}: {}", path, PluginApi.describe(cause));
    if (stream != null) {
      stream.abort(new IOException(cause));
      stream = null;
    }
    ctx.close();
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  private long elapsedMs() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String first(QueryStringDecoder uri, String key) {
    List<String> values = uri.parameters().get(key);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }
}
