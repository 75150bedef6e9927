package io.cvmfsthin.plugin.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.driver.RepositoryMounts;
import io.cvmfsthin.driver.snapshot.RemoteLayers;
import io.cvmfsthin.driver.snapshot.SnapshotStore;
import io.cvmfsthin.plugin.containerd.SnapshotsService;
import io.cvmfsthin.plugin.containerd.proto.PrepareSnapshotRequest;
import io.cvmfsthin.plugin.containerd.proto.SnapshotsGrpc;
import io.cvmfsthin.plugin.containerd.proto.StatSnapshotRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** containerd's calls through the interceptor onto the real service and store. */
class MeteredCallsTest {

  @Test
  void calls_areTimedByMethod_andErrorsCountedByStatus(@TempDir Path root) throws Exception {
    PluginMetrics m = new PluginMetrics();
    try (SnapshotStore store =
        SnapshotStore.open(
            root,
            RepositoryMounts.NONE,
            RemoteLayers.NONE,
            Clock.systemUTC(),
            new Random(1),
            false)) {
      String name = InProcessServerBuilder.generateName();
      Server server =
          InProcessServerBuilder.forName(name)
              .directExecutor()
              .addService(
                  ServerInterceptors.intercept(new SnapshotsService(store), new MeteredCalls(m)))
              .build()
              .start();
      ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
      try {
        SnapshotsGrpc.SnapshotsBlockingStub client = SnapshotsGrpc.newBlockingStub(channel);
        client.prepare(PrepareSnapshotRequest.newBuilder().setKey("a").build());
        assertThatThrownBy(() -> client.stat(StatSnapshotRequest.newBuilder().setKey("x").build()))
            .isInstanceOf(StatusRuntimeException.class);
      } finally {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination();
      }
    }
    List<MetricsText.Sample> s = MetricsText.parse(StatsTableTest.scrape(m));
    assertThat(
            StatsTable.sums(
                s, PluginMetrics.PREFIX + "snapshotter_call_duration_seconds_count", "method"))
        .containsOnly(Map.entry(List.of("Prepare"), 1.0), Map.entry(List.of("Stat"), 1.0));
    assertThat(
            StatsTable.sums(
                s, PluginMetrics.PREFIX + "snapshotter_call_errors_total", "method", "code"))
        .containsOnly(Map.entry(List.of("Stat", "NOT_FOUND"), 1.0));
  }
}
