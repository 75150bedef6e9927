package io.cvmfsthin.plugin.cri;

import io.cvmfsthin.plugin.cri.proto.AuthConfig;
import io.cvmfsthin.plugin.cri.proto.ImageFilter;
import io.cvmfsthin.plugin.cri.proto.ImageServiceGrpc;
import io.cvmfsthin.plugin.cri.proto.ImageSpec;
import io.cvmfsthin.plugin.cri.proto.ImageStatusRequest;
import io.cvmfsthin.plugin.cri.proto.ImageStatusResponse;
import io.cvmfsthin.plugin.cri.proto.ListImagesRequest;
import io.cvmfsthin.plugin.cri.proto.PullImageRequest;
import io.cvmfsthin.plugin.cri.proto.RemoveImageRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCalls;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of a container runtime's CRI image service on a Unix socket (containerd's {@code
 * /run/containerd/containerd.sock}). Calls block the caller; a call the runtime refuses, or a
 * socket nobody answers on, becomes a {@link CriCallException} naming the socket, the method and
 * the image. The caller closes the client, which closes the connection and its one event-loop
 * thread.
 */
public final class CriImageClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CriImageClient.class);

  private final Path socket;
  private final EventLoopGroup eventLoop; // owned: the channel's one I/O thread
  private final ManagedChannel channel;
  private final Duration timeout;

  private CriImageClient(
      Path socket, EventLoopGroup eventLoop, ManagedChannel channel, Duration timeout) {
    this.socket = socket;
    this.eventLoop = eventLoop;
    this.channel = channel;
    this.timeout = timeout;
  }

  /**
   * A client of the runtime listening on {@code socket}; connects on the first call. Each call ends
   * with {@code DEADLINE_EXCEEDED} after {@code timeout} (a pull of a large image needs minutes).
   */
  public static CriImageClient connect(Path socket, Duration timeout) throws IOException {
    if (!Epoll.isAvailable()) {
      throw new IOException(
          "cannot talk to " + socket + ": epoll domain sockets unavailable",
          Epoll.unavailabilityCause());
    }
    ThreadFactory threads =
        r -> {
          Thread t = new Thread(r, "cri-client-io");
          t.setDaemon(true);
          return t;
        };
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, threads, EpollIoHandler.newFactory());
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            // grpc asks for TCP keep-alive, which a Unix socket does not have (a WARN per connect)
            .withOption(ChannelOption.SO_KEEPALIVE, null)
            .directExecutor()
            // containerd's CRI answers can list many images
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    return new CriImageClient(socket, group, channel, timeout);
  }

  /**
   * Pulls {@code image} as kubelet does and returns the runtime's reference to it (for containerd
   * its image ID, {@code sha256:...}).
   */
  public String pull(String image, Optional<RegistryAuth> auth) throws IOException {
    PullImageRequest.Builder request = PullImageRequest.newBuilder().setImage(spec(image));
    auth.ifPresent(
        a ->
            request.setAuth(
                AuthConfig.newBuilder().setUsername(a.user()).setPassword(a.password()).build()));
    log.info("pulling {} through the CRI image service at {}", image, socket);
    String ref = call(ImageServiceGrpc.getPullImageMethod(), request.build(), image).getImageRef();
    log.info("pulled {} as {}", image, ref);
    return ref;
  }

  /** The image the runtime holds under {@code image} (reference or ID), if it holds one. */
  public Optional<CriImage> status(String image) throws IOException {
    ImageStatusResponse r =
        call(
            ImageServiceGrpc.getImageStatusMethod(),
            ImageStatusRequest.newBuilder().setImage(spec(image)).build(),
            image);
    return r.hasImage() ? Optional.of(CriImage.of(r.getImage())) : Optional.empty();
  }

  /** All images the runtime holds (in containerd: those of namespace {@code k8s.io}). */
  public List<CriImage> list() throws IOException {
    return call(
            ImageServiceGrpc.getListImagesMethod(),
            ListImagesRequest.newBuilder().setFilter(ImageFilter.getDefaultInstance()).build(),
            "(all images)")
        .getImagesList()
        .stream()
        .map(CriImage::of)
        .toList();
  }

  /** Removes {@code image}; removing an image the runtime does not hold is no error. */
  public void remove(String image) throws IOException {
    call(
        ImageServiceGrpc.getRemoveImageMethod(),
        RemoveImageRequest.newBuilder().setImage(spec(image)).build(),
        image);
    log.info("removed {} through the CRI image service at {}", image, socket);
  }

  private static ImageSpec spec(String image) {
    if (image.isBlank()) {
      throw new IllegalArgumentException("empty image reference");
    }
    return ImageSpec.newBuilder().setImage(image).build();
  }

  private <Q, R> R call(MethodDescriptor<Q, R> method, Q request, String image)
      throws CriCallException {
    try {
      return ClientCalls.blockingUnaryCall(
          channel,
          method,
          CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS),
          request);
    } catch (StatusRuntimeException e) {
      String what =
          switch (e.getStatus().getCode()) {
            case UNAVAILABLE -> "nothing answers the CRI image service";
            case UNIMPLEMENTED -> "no CRI image service (is containerd's CRI plugin disabled?)";
            default -> e.getStatus().getCode().toString();
          };
      String detail = e.getStatus().getDescription();
      Throwable cause = e.getStatus().getCause();
      if (cause != null) {
        // grpc says "io exception" for a socket it cannot connect to; the cause says why
        String why =
            cause.getMessage() != null
                ? cause.getMessage()
                : cause instanceof FileNotFoundException
                    ? "no such socket"
                    : cause.getClass().getSimpleName();
        detail = (detail == null ? "" : detail + ": ") + why;
      }
      throw new CriCallException(
          method.getBareMethodName()
              + " "
              + image
              + " at "
              + socket
              + ": "
              + what
              + (detail == null ? "" : ": " + detail),
          e.getStatus().getCode(),
          e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      if (!channel.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("CRI client channel to {} did not terminate within 10 s", socket);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      eventLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    }
  }
}
