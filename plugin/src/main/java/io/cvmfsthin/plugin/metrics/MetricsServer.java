package io.cvmfsthin.plugin.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /metrics} endpoint: HTTP/1.1 on a loopback TCP address, one event-loop thread; {@code
 * GET /metrics} answers the registry in the Prometheus text format (collecting reads counters and
 * sizes, nothing that blocks), anything else 404 or 405. The caller closes it.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  static final String PATH = "/metrics";

  private final EventLoopGroup group;
  private final Channel channel;

  private MetricsServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /**
   * Binds {@code address} and serves {@code registry}.
   *
   * @throws IOException naming the address if it cannot be bound (in use, not local)
   */
  public static MetricsServer start(MetricsAddress address, PrometheusRegistry registry)
      throws IOException {
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("metrics-http", true), NioIoHandler.newFactory());
    PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(16 * 1024))
                          .addLast(new ScrapeHandler(registry, writer));
                    }
                  })
              .bind(address.socketAddress())
              .sync()
              .channel();
      MetricsServer server = new MetricsServer(group, channel);
      log.info("metrics: http://{}{}", address, PATH);
      return server;
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException("metrics endpoint " + address + ": cannot listen: " + e, e);
    }
  }

  /** The address bound. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Answers one request; the scrape is written into the response buffer on the event loop. */
  private static final class ScrapeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer;

    ScrapeHandler(PrometheusRegistry registry, PrometheusTextFormatWriter writer) {
      this.registry = registry;
      this.writer = writer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request)
        throws IOException {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      FullHttpResponse response;
      if (!new QueryStringDecoder(request.uri()).path().equals(PATH)) {
        response = text(ctx, HttpResponseStatus.NOT_FOUND, "not found; try " + PATH + "\n");
      } else if (!request.method().equals(HttpMethod.GET)) {
        response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n");
      } else {
        ByteBuf body = ctx.alloc().buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
          writer.write(out, registry.scrape());
        } catch (IOException | RuntimeException e) {
          body.release();
          throw e;
        }
        response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
      }
      HttpUtil.setContentLength(response, response.content().readableBytes());
      HttpUtil.setKeepAlive(response, keepAlive);
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse text(
        ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
      ByteBuf body = ctx.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.warn("metrics: answering {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
