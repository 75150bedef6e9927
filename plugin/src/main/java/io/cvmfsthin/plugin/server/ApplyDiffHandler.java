package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams {@code ApplyDiff} bodies (a layer tar, chunked) into the driver: at the request head a
 * worker starts extracting from a {@link BodyStream} that the following chunks feed, with
 * backpressure; the answer goes out once the driver is done and the whole body has arrived (spec
 * §4.13). Every other request passes on untouched to the aggregator.
 *
 * <p>One per connection; dockerd sends one request at a time on a connection.
 */
final class ApplyDiffHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ApplyDiffHandler.class);

  private final GraphDriverBackend backend;
  private final Executor workers;

  // event loop only: where the chunks of the ApplyDiff body in progress go
  private BodyStream body; // a worker reads it; null when none
  private boolean discarding; // the request was refused: drop its chunks

  ApplyDiffHandler(GraphDriverBackend backend, Executor workers) {
    this.backend = backend;
    this.workers = workers;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest head && isApplyDiff(head)) {
      try {
        start(ctx, head);
        if (msg instanceof HttpContent content) { // a full request: its body is all there is
          onContent(ctx, content);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    } else if (msg instanceof HttpContent content && (body != null || discarding)) {
      try {
        onContent(ctx, content);
      } finally {
        ReferenceCountUtil.release(msg);
      }
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  private static boolean isApplyDiff(HttpRequest head) {
    return head.decoderResult().isSuccess()
        && new QueryStringDecoder(head.uri()).path().equals(PluginApi.APPLY_DIFF);
  }

  private void start(ChannelHandlerContext ctx, HttpRequest head) {
    PluginRequest request = PluginRequest.of(head);
    QueryStringDecoder uri = new QueryStringDecoder(head.uri());
    String id;
    try {
      id = PluginApi.checkQueryId(request.path(), first(uri, "id"));
    } catch (IllegalArgumentException e) {
      discarding = true;
      request.closing().respond(ctx, PluginApi.error(500, e.getMessage()));
      return;
    }
    String parent = first(uri, "parent");
    BodyStream in = new BodyStream(ctx.channel());
    body = in;
    if (!request.submit(ctx, workers, () -> apply(ctx, request, id, parent, in))) {
      in.abort(new IOException("plugin overloaded")); // the rest of the body is dropped
    }
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (body != null) {
      if (content.decoderResult().isFailure()) { // the decoder reads nothing more: give up
        body.abort(new IOException("malformed chunk: " + content.decoderResult().cause()));
        ctx.close();
      }
      body.offer(content.content().retain());
      if (last) {
        body.end();
      }
    }
    if (last) {
      body = null;
      discarding = false;
    }
  }

  /** Worker: extracts, waits for the end of the body, answers. Reads only its arguments. */
  private void apply(
      ChannelHandlerContext ctx, PluginRequest request, String id, String parent, BodyStream in) {
    PluginApi.Answer answer;
    try {
      long size = backend.applyDiff(id, parent, in);
      in.drain();
      answer = PluginApi.applyDiffAnswer(size);
      log.debug(
          "{} id={} parent={} size={} body={}B in {} ms",
          request.path(),
          id,
          parent,
          size,
          in.totalBytes(),
          request.elapsedMs());
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
    request.respond(ctx, answer);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    abort(new IOException("dockerd closed the connection mid-body"));
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    abort(new IOException(cause));
    super.exceptionCaught(ctx, cause);
  }

  private void abort(IOException cause) {
    if (body != null) {
      body.abort(cause);
      body = null;
    }
  }

  private static String first(QueryStringDecoder uri, String key) {
    List<String> values = uri.parameters().get(key);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }
}
