package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code Diff} answer: the driver's tar stream written as chunks of at most {@link
 * #CHUNK_BYTES}, driven by the channel's writability. A worker reads and writes while the channel
 * takes more; when it does not, the worker parks the transfer and returns to the pool, and {@link
 * #resume} (called by {@link DiffHandler} on the event loop when the channel is writable again or
 * closed) hands it to a worker again. Reading stays on workers because the tar is made from files
 * that may sit on a FUSE mount fetching over the network; the event loop never reads it.
 *
 * <p>Errors before the first byte are {@code Err} answers; after it, the connection is closed, so
 * dockerd sees a broken tar rather than a short one.
 */
final class DiffTransfer {
  private static final Logger log = LoggerFactory.getLogger(DiffTransfer.class);
  static final int CHUNK_BYTES = 64 * 1024;

  /** The driver's answer to a {@code Diff} request: the layer id and its tar stream. */
  record Opened(String id, InputStream tar) {}

  /** Opens the driver's tar stream; runs on a worker. */
  interface Opener {
    Opened open() throws Exception;
  }

  private enum State {
    OPENING, // a worker opens the tar stream
    RUNNING, // a worker reads and writes
    PARKED, // no worker: waiting until the channel is writable (or closed)
    DONE
  }

  private final ChannelHandlerContext ctx;
  private final Channel channel;
  private final PluginRequest request;
  private final Executor workers;
  // hands the transfer from one thread to the next: only the thread that moved it into OPENING
  // or RUNNING touches the fields below, so they need no lock of their own
  private final AtomicReference<State> state = new AtomicReference<>(State.OPENING);
  private String id;
  private InputStream tar;
  private long sentBytes;

  DiffTransfer(ChannelHandlerContext ctx, PluginRequest request, Executor workers) {
    this.ctx = ctx;
    this.channel = ctx.channel();
    this.request = request;
    this.workers = workers;
  }

  /** Worker: opens the stream, sends the response head, then starts writing. */
  void open(Opener opener) {
    Opened opened;
    try {
      opened = opener.open();
    } catch (Exception e) {
      state.set(State.DONE);
      request.respond(ctx, PluginApi.error(500, PluginApi.describe(e)));
      return;
    }
    id = opened.id();
    tar = opened.tar();
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-tar");
    HttpUtil.setTransferEncodingChunked(head, true);
    ctx.writeAndFlush(head);
    state.set(State.RUNNING);
    pump();
  }

  /** Event loop: the channel became writable or closed; a parked transfer goes on. */
  void resume() {
    if (state.compareAndSet(State.PARKED, State.RUNNING)) {
      try {
        workers.execute(this::pump);
      } catch (RejectedExecutionException e) {
        fail(new IOException("plugin is shutting down", e));
      }
    }
  }

  /** Worker, in state RUNNING: writes until the end, a failure, or a full channel. */
  private void pump() {
    byte[] buf = new byte[CHUNK_BYTES];
    try {
      while (true) {
        if (!channel.isActive()) {
          throw new IOException("dockerd closed the connection");
        }
        if (!channel.isWritable() && park()) {
          return;
        }
        int n = tar.read(buf);
        if (n < 0) {
          finish();
          return;
        }
        if (n > 0) {
          ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n)));
          sentBytes += n;
        }
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  /** Parks; true unless the channel became writable (or closed) meanwhile and this took it back. */
  private boolean park() {
    state.set(State.PARKED);
    boolean changed = channel.isWritable() || !channel.isActive();
    return !(changed && state.compareAndSet(State.PARKED, State.RUNNING));
  }

  private void finish() {
    state.set(State.DONE);
    closeTar();
    var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!request.keepAlive()) {
      done.addListener(ChannelFutureListener.CLOSE);
    }
    log.debug(
        "{} id={} sent {} bytes in {} ms", request.path(), id, sentBytes, request.elapsedMs());
  }

  private void fail(Exception e) {
    state.set(State.DONE);
    closeTar();
    log.warn(
        "Diff of layer {} failed after {} bytes, closing the connection: {}",
        id,
        sentBytes,
        PluginApi.describe(e));
    ctx.close();
  }

  private void closeTar() {
    try {
      tar.close();
    } catch (IOException e) {
      log.warn("Diff of layer {}: closing the tar stream failed: {}", id, PluginApi.describe(e));
    }
  }
}
