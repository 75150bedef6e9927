package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's HTTP server on a Unix domain socket (epoll). Owns its event loop; the worker
 * executor belongs to the caller. Binding comes first and fast, so dockerd's readiness check (about
 * 9.5 s) is met before any slow start-up work.
 */
public final class PluginServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PluginServer.class);

  /**
   * A {@code Diff} answer's worker parks when 1 MiB waits unsent and goes on below 256 KiB: a few
   * chunks in flight per connection, not one hand-off per chunk.
   */
  private static final WriteBufferWaterMark DIFF_WATER_MARK =
      new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

  private final Path socket;
  private final EventLoopGroup group;
  private final Channel channel;

  private PluginServer(Path socket, EventLoopGroup group, Channel channel) {
    this.socket = socket;
    this.group = group;
    this.channel = channel;
  }

  /** Deletes a stale socket file, binds and starts serving. */
  public static PluginServer start(
      Path socket, PluginApi api, GraphDriverBackend backend, ExecutorService workers)
      throws IOException {
    Files.createDirectories(socket.toAbsolutePath().getParent());
    Files.deleteIfExists(socket); // a stale socket survives SIGKILL
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("plugin-io", true), EpollIoHandler.newFactory());
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerDomainSocketChannel.class)
              .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, DIFF_WATER_MARK)
              .childHandler(PluginPipeline.initializer(api, backend, workers))
              .bind(new DomainSocketAddress(socket.toFile()))
              .sync()
              .channel();
      log.info("plugin listening on {}", socket);
      return new PluginServer(socket, group, channel);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("interrupted while binding " + socket, e);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
    }
  }

  public Path socket() {
    return socket;
  }

  /** Stops accepting, closes connections and the event loop; removes the socket file. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("cannot remove socket {}: {}", socket, e.getMessage());
    }
    log.info("plugin stopped listening on {}", socket);
  }
}
