package io.cvmfsthin.plugin.containerd;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.cvmfsthin.driver.snapshot.Kind;
import io.cvmfsthin.driver.snapshot.Snapshot;
import io.cvmfsthin.driver.snapshot.SnapshotMount;
import io.cvmfsthin.driver.snapshot.SnapshotStore;
import io.cvmfsthin.plugin.containerd.proto.CleanupRequest;
import io.cvmfsthin.plugin.containerd.proto.CommitSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.Info;
import io.cvmfsthin.plugin.containerd.proto.ListSnapshotsRequest;
import io.cvmfsthin.plugin.containerd.proto.ListSnapshotsResponse;
import io.cvmfsthin.plugin.containerd.proto.Mount;
import io.cvmfsthin.plugin.containerd.proto.MountsRequest;
import io.cvmfsthin.plugin.containerd.proto.MountsResponse;
import io.cvmfsthin.plugin.containerd.proto.PrepareSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.PrepareSnapshotResponse;
import io.cvmfsthin.plugin.containerd.proto.RemoveSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.SnapshotsGrpc;
import io.cvmfsthin.plugin.containerd.proto.StatSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.StatSnapshotResponse;
import io.cvmfsthin.plugin.containerd.proto.UpdateSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.UpdateSnapshotResponse;
import io.cvmfsthin.plugin.containerd.proto.UsageRequest;
import io.cvmfsthin.plugin.containerd.proto.UsageResponse;
import io.cvmfsthin.plugin.containerd.proto.ViewSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.ViewSnapshotResponse;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * containerd's {@code Snapshots} service onto the snapshot store: each call is request fields →
 * store call → response message; every failure goes through {@link Statuses}. The {@code
 * snapshotter} field is ignored (one snapshotter per socket). Calls run on the server's executor.
 */
public final class SnapshotsService extends SnapshotsGrpc.SnapshotsImplBase {
  private static final Logger log = LoggerFactory.getLogger(SnapshotsService.class);

  /** Snapshots per List message, well below gRPC's 4 MiB message limit with 4 KiB labels. */
  static final int LIST_BATCH = 100;

  private final SnapshotStore store;

  public SnapshotsService(SnapshotStore store) {
    this.store = store;
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> void answer(String what, StreamObserver<T> out, Call<T> call) {
    T response;
    try {
      response = call.run();
    } catch (Exception e) {
      log.debug("{}: {}", what, e.getMessage());
      out.onError(Statuses.of(e));
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }

  @Override
  public void prepare(PrepareSnapshotRequest r, StreamObserver<PrepareSnapshotResponse> out) {
    log.debug("Prepare {} parent {} labels {}", r.getKey(), r.getParent(), r.getLabelsMap());
    answer(
        "Prepare " + r.getKey(),
        out,
        () ->
            PrepareSnapshotResponse.newBuilder()
                .addAllMounts(mounts(store.prepare(r.getKey(), r.getParent(), r.getLabelsMap())))
                .build());
  }

  @Override
  public void view(ViewSnapshotRequest r, StreamObserver<ViewSnapshotResponse> out) {
    log.debug("View {} parent {}", r.getKey(), r.getParent());
    answer(
        "View " + r.getKey(),
        out,
        () ->
            ViewSnapshotResponse.newBuilder()
                .addAllMounts(mounts(store.view(r.getKey(), r.getParent(), r.getLabelsMap())))
                .build());
  }

  @Override
  public void mounts(MountsRequest r, StreamObserver<MountsResponse> out) {
    log.debug("Mounts {}", r.getKey());
    answer(
        "Mounts " + r.getKey(),
        out,
        () -> MountsResponse.newBuilder().addAllMounts(mounts(store.mounts(r.getKey()))).build());
  }

  @Override
  public void commit(CommitSnapshotRequest r, StreamObserver<Empty> out) {
    log.debug("Commit {} as {}", r.getKey(), r.getName());
    answer(
        "Commit " + r.getKey(),
        out,
        () -> {
          store.commit(r.getName(), r.getKey(), r.getLabelsMap());
          return Empty.getDefaultInstance();
        });
  }

  @Override
  public void remove(RemoveSnapshotRequest r, StreamObserver<Empty> out) {
    log.debug("Remove {}", r.getKey());
    answer(
        "Remove " + r.getKey(),
        out,
        () -> {
          store.remove(r.getKey());
          return Empty.getDefaultInstance();
        });
  }

  @Override
  public void stat(StatSnapshotRequest r, StreamObserver<StatSnapshotResponse> out) {
    answer(
        "Stat " + r.getKey(),
        out,
        () -> StatSnapshotResponse.newBuilder().setInfo(info(store.stat(r.getKey()))).build());
  }

  @Override
  public void update(UpdateSnapshotRequest r, StreamObserver<UpdateSnapshotResponse> out) {
    log.debug("Update {} {}", r.getInfo().getName(), r.getUpdateMask().getPathsList());
    answer(
        "Update " + r.getInfo().getName(),
        out,
        () ->
            UpdateSnapshotResponse.newBuilder()
                .setInfo(
                    info(
                        store.update(
                            r.getInfo().getName(),
                            r.getInfo().getLabelsMap(),
                            r.getUpdateMask().getPathsList())))
                .build());
  }

  @Override
  public void list(ListSnapshotsRequest r, StreamObserver<ListSnapshotsResponse> out) {
    List<Snapshot> all;
    try {
      all = store.list(r.getFiltersList());
    } catch (Exception e) {
      out.onError(Statuses.of(e));
      return;
    }
    for (int i = 0; i < all.size(); i += LIST_BATCH) {
      ListSnapshotsResponse.Builder batch = ListSnapshotsResponse.newBuilder();
      all.subList(i, Math.min(all.size(), i + LIST_BATCH)).forEach(s -> batch.addInfo(info(s)));
      out.onNext(batch.build());
    }
    out.onCompleted();
  }

  @Override
  public void usage(UsageRequest r, StreamObserver<UsageResponse> out) {
    answer(
        "Usage " + r.getKey(),
        out,
        () -> {
          SnapshotStore.Usage u = store.usage(r.getKey());
          return UsageResponse.newBuilder().setSize(u.sizeBytes()).setInodes(u.inodes()).build();
        });
  }

  @Override
  public void cleanup(CleanupRequest r, StreamObserver<Empty> out) {
    answer(
        "Cleanup",
        out,
        () -> {
          store.cleanup();
          return Empty.getDefaultInstance();
        });
  }

  static List<Mount> mounts(List<SnapshotMount> mounts) {
    return mounts.stream()
        .map(
            m ->
                Mount.newBuilder()
                    .setType(m.type())
                    .setSource(m.source())
                    .addAllOptions(m.options())
                    .build())
        .toList();
  }

  static Info info(Snapshot s) {
    return Info.newBuilder()
        .setName(s.name())
        .setParent(s.parent())
        .setKind(kind(s.kind()))
        .setCreatedAt(timestamp(s.created()))
        .setUpdatedAt(timestamp(s.updated()))
        .putAllLabels(s.labels())
        .build();
  }

  private static io.cvmfsthin.plugin.containerd.proto.Kind kind(Kind k) {
    return switch (k) {
      case VIEW -> io.cvmfsthin.plugin.containerd.proto.Kind.VIEW;
      case ACTIVE -> io.cvmfsthin.plugin.containerd.proto.Kind.ACTIVE;
      case COMMITTED -> io.cvmfsthin.plugin.containerd.proto.Kind.COMMITTED;
    };
  }

  private static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
