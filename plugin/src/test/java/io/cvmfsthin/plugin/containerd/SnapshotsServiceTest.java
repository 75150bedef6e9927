package io.cvmfsthin.plugin.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.FieldMask;
import io.cvmfsthin.driver.RepositoryMounts;
import io.cvmfsthin.driver.snapshot.RemoteLayers;
import io.cvmfsthin.driver.snapshot.SnapshotStore;
import io.cvmfsthin.plugin.containerd.proto.CommitSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.Info;
import io.cvmfsthin.plugin.containerd.proto.Kind;
import io.cvmfsthin.plugin.containerd.proto.ListSnapshotsRequest;
import io.cvmfsthin.plugin.containerd.proto.Mount;
import io.cvmfsthin.plugin.containerd.proto.MountsRequest;
import io.cvmfsthin.plugin.containerd.proto.PrepareSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.RemoveSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.SnapshotsGrpc;
import io.cvmfsthin.plugin.containerd.proto.StatSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.UpdateSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.UsageRequest;
import io.cvmfsthin.plugin.containerd.proto.ViewSnapshotRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC service over an in-process channel onto a real store in a temporary directory. */
class SnapshotsServiceTest {
  @TempDir Path root;
  SnapshotStore store;
  Server server;
  ManagedChannel channel;
  SnapshotsGrpc.SnapshotsBlockingStub client;

  @BeforeEach
  void start() throws Exception {
    store =
        SnapshotStore.open(
            root,
            RepositoryMounts.NONE,
            RemoteLayers.NONE,
            Clock.systemUTC(),
            new Random(1),
            false);
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new SnapshotsService(store))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    client = SnapshotsGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination();
    store.close();
  }

  List<Mount> prepare(String key, String parent) {
    return client
        .prepare(PrepareSnapshotRequest.newBuilder().setKey(key).setParent(parent).build())
        .getMountsList();
  }

  void commit(String name, String key) {
    client.commit(CommitSnapshotRequest.newBuilder().setName(name).setKey(key).build());
  }

  static void assertStatus(Runnable call, Status.Code code, String words) {
    assertThatThrownBy(call::run)
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(
            e -> {
              Status s = ((StatusRuntimeException) e).getStatus();
              assertThat(s.getCode()).isEqualTo(code);
              assertThat(s.getDescription()).contains(words);
            });
  }

  @Test
  void prepareCommitPrepare_givesBindThenOverlay() throws Exception {
    List<Mount> first = prepare("extract-1", "");
    assertThat(first).hasSize(1);
    assertThat(first.get(0).getType()).isEqualTo("bind");
    assertThat(first.get(0).getOptionsList()).containsExactly("rw", "rbind");
    Files.writeString(Path.of(first.get(0).getSource()).resolve("f"), "x");
    commit("layer-1", "extract-1");
    List<Mount> second = prepare("container", "layer-1");
    assertThat(second.get(0).getType()).isEqualTo("overlay");
    assertThat(second.get(0).getSource()).isEqualTo("overlay");
    assertThat(second.get(0).getOptionsList())
        .last()
        .isEqualTo("lowerdir=" + first.get(0).getSource());
    assertThat(
            client.mounts(MountsRequest.newBuilder().setKey("container").build()).getMountsList())
        .isEqualTo(second);
    assertThat(
            client
                .view(ViewSnapshotRequest.newBuilder().setKey("v").setParent("layer-1").build())
                .getMountsList()
                .get(0)
                .getOptionsList())
        .containsExactly("ro", "rbind");

    Info info = client.stat(StatSnapshotRequest.newBuilder().setKey("layer-1").build()).getInfo();
    assertThat(info.getKind()).isEqualTo(Kind.COMMITTED);
    assertThat(info.getName()).isEqualTo("layer-1");
    assertThat(info.getCreatedAt().getSeconds()).isPositive();
    assertThat(client.usage(UsageRequest.newBuilder().setKey("layer-1").build()).getSize())
        .isEqualTo(1);

    List<String> names = new ArrayList<>();
    client
        .list(ListSnapshotsRequest.getDefaultInstance())
        .forEachRemaining(r -> r.getInfoList().forEach(i -> names.add(i.getName())));
    assertThat(names).containsExactlyInAnyOrder("layer-1", "container", "v");
  }

  @Test
  void update_setsOneLabel() {
    prepare("k", "");
    Info updated =
        client
            .update(
                UpdateSnapshotRequest.newBuilder()
                    .setInfo(Info.newBuilder().setName("k").putLabels("a", "1"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.a"))
                    .build())
            .getInfo();
    assertThat(updated.getLabelsMap()).containsEntry("a", "1");
  }

  @Test
  void errors_carryContainerdsCodes_andNameTheKey() {
    assertStatus(
        () -> client.stat(StatSnapshotRequest.newBuilder().setKey("nope").build()),
        Status.Code.NOT_FOUND,
        "snapshot nope");
    prepare("k", "");
    assertStatus(() -> prepare("k", ""), Status.Code.ALREADY_EXISTS, "snapshot k");
    commit("c", "k");
    prepare("child", "c");
    assertStatus(
        () -> client.remove(RemoveSnapshotRequest.newBuilder().setKey("c").build()),
        Status.Code.FAILED_PRECONDITION,
        "snapshot c: has children");
    assertStatus(
        () ->
            client.prepare(
                PrepareSnapshotRequest.newBuilder()
                    .setKey("big")
                    .putLabels("l", "x".repeat(5000))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "snapshot big: label l");
    client.remove(RemoveSnapshotRequest.newBuilder().setKey("child").build());
    client.remove(RemoveSnapshotRequest.newBuilder().setKey("c").build());
  }
}
