package io.cvmfsthin.plugin.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.plugin.cri.proto.Image;
import io.cvmfsthin.plugin.cri.proto.ImageServiceGrpc;
import io.cvmfsthin.plugin.cri.proto.ImageStatusResponse;
import io.cvmfsthin.plugin.cri.proto.ListImagesResponse;
import io.cvmfsthin.plugin.cri.proto.PullImageRequest;
import io.cvmfsthin.plugin.cri.proto.PullImageResponse;
import io.cvmfsthin.plugin.cri.proto.RemoveImageResponse;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a fake CRI image service on a Unix socket: wire names, fields, errors. */
class CriImageClientTest {
  static final String IMAGE = "127.0.0.1:5000/e2e/app:1";
  static final String ID = "sha256:" + "ab".repeat(32);

  @TempDir Path dir;
  EventLoopGroup group;
  Server server;
  Path socket;
  final List<PullImageRequest> pulls = new CopyOnWriteArrayList<>();
  final Map<String, Image> held = new ConcurrentHashMap<>();

  @BeforeEach
  void startFakeRuntime() throws Exception {
    socket = dir.resolve("cri.sock");
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(ImageServiceGrpc.SERVICE_NAME)
            .addMethod(
                ImageServiceGrpc.getPullImageMethod(),
                ServerCalls.asyncUnaryCall(
                    (request, answer) -> {
                      pulls.add(request);
                      String name = request.getImage().getImage();
                      if (name.contains("missing")) {
                        answer.onError(
                            Status.NOT_FOUND
                                .withDescription("failed to resolve reference " + name)
                                .asRuntimeException());
                        return;
                      }
                      held.put(name, Image.newBuilder().setId(ID).addRepoTags(name).build());
                      answer.onNext(PullImageResponse.newBuilder().setImageRef(ID).build());
                      answer.onCompleted();
                    }))
            .addMethod(
                ImageServiceGrpc.getImageStatusMethod(),
                ServerCalls.asyncUnaryCall(
                    (request, answer) -> {
                      ImageStatusResponse.Builder r = ImageStatusResponse.newBuilder();
                      Image image = held.get(request.getImage().getImage());
                      if (image != null) {
                        r.setImage(image);
                      }
                      answer.onNext(r.build());
                      answer.onCompleted();
                    }))
            .addMethod(
                ImageServiceGrpc.getListImagesMethod(),
                ServerCalls.asyncUnaryCall(
                    (request, answer) -> {
                      answer.onNext(
                          ListImagesResponse.newBuilder().addAllImages(held.values()).build());
                      answer.onCompleted();
                    }))
            .addMethod(
                ImageServiceGrpc.getRemoveImageMethod(),
                ServerCalls.asyncUnaryCall(
                    (request, answer) -> {
                      held.remove(request.getImage().getImage());
                      answer.onNext(RemoveImageResponse.getDefaultInstance());
                      answer.onCompleted();
                    }))
            .build();
    server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .directExecutor()
            .withChildOption(ChannelOption.SO_KEEPALIVE, null) // no TCP keep-alive on a Unix socket
            .addService(service)
            .build()
            .start();
  }

  @AfterEach
  void stopFakeRuntime() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  CriImageClient client() throws Exception {
    return CriImageClient.connect(socket, Duration.ofSeconds(20));
  }

  @Test
  void pull_sendsTheImageAndCredentials_returnsTheRuntimesReference() throws Exception {
    try (CriImageClient client = client()) {
      assertThat(client.pull(IMAGE, Optional.of(new RegistryAuth("alice", "s:cret"))))
          .isEqualTo(ID);
    }
    assertThat(pulls).hasSize(1);
    assertThat(pulls.get(0).getImage().getImage()).isEqualTo(IMAGE);
    assertThat(pulls.get(0).getAuth().getUsername()).isEqualTo("alice");
    assertThat(pulls.get(0).getAuth().getPassword()).isEqualTo("s:cret");
  }

  @Test
  void pull_withoutCredentials_sendsNoAuth() throws Exception {
    try (CriImageClient client = client()) {
      client.pull(IMAGE, Optional.empty());
    }
    assertThat(pulls.get(0).hasAuth()).isFalse();
  }

  @Test
  void statusListRemove_followWhatThePullLeft() throws Exception {
    try (CriImageClient client = client()) {
      assertThat(client.status(IMAGE)).isEmpty();
      client.pull(IMAGE, Optional.empty());
      assertThat(client.status(IMAGE))
          .hasValueSatisfying(
              i -> {
                assertThat(i.id()).isEqualTo(ID);
                assertThat(i.repoTags()).containsExactly(IMAGE);
              });
      assertThat(client.list()).extracting(CriImage::id).containsExactly(ID);
      client.remove(IMAGE);
      assertThat(client.status(IMAGE)).isEmpty();
    }
  }

  @Test
  void pull_refusedByTheRuntime_namesMethodImageSocketAndReason() throws Exception {
    String missing = "127.0.0.1:5000/e2e/missing:1";
    try (CriImageClient client = client()) {
      assertThatThrownBy(() -> client.pull(missing, Optional.empty()))
          .isInstanceOf(CriCallException.class)
          .hasMessageContaining("PullImage " + missing)
          .hasMessageContaining(socket.toString())
          .hasMessageContaining("NOT_FOUND")
          .hasMessageContaining("failed to resolve reference")
          .satisfies(
              e -> assertThat(((CriCallException) e).code()).isEqualTo(Status.Code.NOT_FOUND));
    }
  }

  @Test
  void pull_nothingListening_isUnavailableNamingTheSocket() throws Exception {
    Path nobody = dir.resolve("nobody.sock");
    try (CriImageClient client = CriImageClient.connect(nobody, Duration.ofSeconds(20))) {
      assertThatThrownBy(() -> client.pull(IMAGE, Optional.empty()))
          .isInstanceOf(CriCallException.class)
          .hasMessageContaining(nobody.toString())
          .hasMessageContaining("nothing answers")
          .satisfies(
              e -> assertThat(((CriCallException) e).code()).isEqualTo(Status.Code.UNAVAILABLE));
    }
  }

  @Test
  void pull_emptyReference_isRejectedBeforeAnyCall() throws Exception {
    try (CriImageClient client = client()) {
      assertThatThrownBy(() -> client.pull(" ", Optional.empty()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty image reference");
    }
    assertThat(pulls).isEmpty();
  }
}
