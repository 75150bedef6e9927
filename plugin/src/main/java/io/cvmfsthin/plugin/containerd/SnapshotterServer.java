package io.cvmfsthin.plugin.containerd;

import io.cvmfsthin.plugin.containerd.proto.SnapshotsGrpc;
import io.cvmfsthin.plugin.containerd.proto.StatSnapshotRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server on a Unix socket (epoll), as containerd's {@code proxy_plugins} dial it. Calls
 * run on the executor the caller owns; the event loops are this server's and end with {@link
 * #close}, which also removes the socket file.
 */
public final class SnapshotterServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotterServer.class);

  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Path socket;

  private SnapshotterServer(
      Server server, EventLoopGroup boss, EventLoopGroup workers, Path socket) {
    this.server = server;
    this.boss = boss;
    this.workers = workers;
    this.socket = socket;
  }

  /**
   * Binds {@code socket} (a stale socket file from an earlier run is replaced) and serves.
   *
   * @param calls runs the service's calls; owned by the caller
   * @param interceptors see every call, the first one outermost (metrics)
   */
  public static SnapshotterServer start(
      Path socket,
      SnapshotsService service,
      Executor calls,
      ThreadFactory eventLoopThreads,
      ServerInterceptor... interceptors)
      throws IOException {
    Files.createDirectories(socket.toAbsolutePath().getParent());
    Files.deleteIfExists(socket);
    EventLoopGroup boss = new EpollEventLoopGroup(1, eventLoopThreads);
    EventLoopGroup workers = new EpollEventLoopGroup(2, eventLoopThreads);
    try {
      Server server =
          NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
              .channelType(EpollServerDomainSocketChannel.class)
              .bossEventLoopGroup(boss)
              .workerEventLoopGroup(workers)
              .executor(calls)
              .addService(ServerInterceptors.intercept(service, interceptors))
              .build()
              .start();
      warmUp(socket, workers);
      log.info("containerd snapshotter listening on {}", socket);
      return new SnapshotterServer(server, boss, workers, socket);
    } catch (IOException | RuntimeException e) {
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException("snapshotter socket " + socket + ": " + e.getMessage(), e);
    }
  }

  /**
   * One call through the socket before containerd's first: containerd 1.6 gives a proxy plugin
   * about a second to answer a new connection's HTTP/2 handshake, which a cold JVM on a loaded host
   * can miss. The answer (NOT_FOUND for an empty key) does not matter.
   */
  private static void warmUp(Path socket, EventLoopGroup loops) {
    long t0 = System.nanoTime();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(loops)
            .usePlaintext()
            .build();
    try {
      SnapshotsGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .stat(StatSnapshotRequest.getDefaultInstance());
    } catch (StatusRuntimeException expected) {
      // NOT_FOUND: the round trip is what counts
    } finally {
      channel.shutdownNow();
    }
    log.debug("snapshotter: warm-up call took {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  /** Stops accepting, lets running calls finish for up to 3 s, then stops the event loops. */
  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
      log.warn("snapshotter: calls still running at shutdown, cancelling them");
      server.shutdownNow();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("snapshotter: removing socket {} failed: {}", socket, e.toString());
    }
  }
}
