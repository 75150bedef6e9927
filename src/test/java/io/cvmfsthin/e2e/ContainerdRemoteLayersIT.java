package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.CriContainerd;
import io.cvmfsthin.e2e.support.CvmfsConfig;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.SnapshotterProcess;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Remote layers by digest, end to end: an unmodified image whose layers the converter published
 * into a repository (as unpacked.cern.ch holds images) is pulled through containerd's CRI image
 * service ({@code cvmfs-thin pull}, which sends the snapshot labels) with our snapshotter: every
 * layer becomes a remote snapshot, so the registry serves the manifest and config but no layer
 * blob; the container runs, and its files come from the stratum on first read.
 */
@Tag("containerd")
@Tag("docker")
@Tag("fuse")
@Tag("root")
@Tag("registry")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdRemoteLayersIT {
  static final String FQRN = "remote.e2e.local";
  static final String SNAPSHOTTER = "cvmfs-thin";

  Path work;
  LocalRegistry registry;
  NginxStratum stratum;
  SnapshotterProcess snapshotter;
  CriContainerd containerd;
  String source;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    registry = new LocalRegistry(work.resolve("registry")).start();
    Path storage = work.resolve("stratum");
    Path keys = work.resolve("keys");
    Cli.createRepository(storage, keys, FQRN);
    stratum = new NginxStratum(work.resolve("nginx"), storage).start();
    try (PrivateDockerd builder = new PrivateDockerd(work.resolve("builder"))) {
      builder.start("overlay2");
      TestImages.importBusybox(builder, work.resolve("img"), "test/base:1");
      Path ctx = Files.createDirectories(work.resolve("ctx"));
      Files.writeString(ctx.resolve("Dockerfile"), ThinImagesIT.dockerfile());
      source = registry.address() + "/e2e/remote:1";
      TestImages.build(builder, ctx, source);
      builder.dockerOk("push", source);
    }
    Cli.convert(source, storage, keys, FQRN); // publishes every layer at .layers/<h2>/<hex>

    Path etc =
        CvmfsConfig.add(
            work.resolve("etc-cvmfs"), FQRN, keys.resolve(FQRN + ".pub"), stratum.serverUrl());
    Path sockets = Files.createTempDirectory(Path.of("/tmp"), "rl");
    snapshotter =
        SnapshotterProcess.start(
            work.resolve("snap"),
            sockets.resolve("snap.sock"),
            List.of("--cvmfs-config", etc.toString(), "--layer-repository", FQRN));
    containerd =
        new CriContainerd(work.resolve("containerd"))
            .insecureRegistry(registry.address())
            .proxySnapshotter(SNAPSHOTTER, snapshotter.socket())
            .start();
    awaitProxyConnected();
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, containerd, snapshotter, stratum, registry);
  }

  /** containerd dials a proxy plugin lazily; a probe Prepare/Remove proves the connection. */
  void awaitProxyConnected() throws IOException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    for (int n = 0; Instant.now().isBefore(deadline); n++) {
      String key = "probe-" + n;
      if (containerd
              .ctr("-n", "k8s.io", "snapshots", "--snapshotter", SNAPSHOTTER, "prepare", key, "")
              .exit()
          == 0) {
        containerd.ctrK8sOk("snapshots", "--snapshotter", SNAPSHOTTER, "rm", key);
        return;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    throw new IOException("containerd never reached the snapshotter");
  }

  @Test
  @Order(1)
  void pull_withLabels_downloadsNoLayerBlob_everyLayerIsARemoteSnapshot() throws IOException {
    int blobsBefore = CriPullIT.blobGets(registry, "e2e/remote").size();
    CriPullIT.Run run =
        CriPullIT.cli("pull", "--containerd-socket", containerd.socket().toString(), source);
    assertThat(run.exit()).as(run.err()).isZero();

    List<String> layers = CriPullIT.manifestLayers(containerd, source);
    assertThat(layers).hasSizeGreaterThanOrEqualTo(3);
    List<String> fetched = CriPullIT.blobGets(registry, "e2e/remote");
    assertThat(fetched.subList(blobsBefore, fetched.size()))
        .as("registry log: blobs served for the pull (the config only, no layer)")
        .doesNotContainAnyElementsOf(layers)
        .hasSize(1);

    List<Map<String, String>> labels =
        CriPullIT.snapshotKeys(containerd, "k8s.io", SNAPSHOTTER).stream()
            .map(
                k ->
                    CriPullIT.labels(
                        containerd.ctrK8sOk("snapshots", "--snapshotter", SNAPSHOTTER, "info", k)))
            .toList();
    System.out.println("[remote snapshot labels] " + labels);
    assertThat(labels)
        .hasSize(layers.size())
        .allSatisfy(l -> assertThat(l).containsEntry("containerd.io/snapshot/remote", "true"));
    assertThat(SnapshotterProcess.tail(snapshotter.log(), 400))
        .contains("): remote, layer sha256:")
        .contains("cvmfs://" + FQRN + "/.layers/");
  }

  @Test
  @Order(2)
  void run_readsOnlyTheFilesItUsesFromTheStratum() throws IOException {
    int before = stratum.requests().size();
    String out =
        containerd
            .ctrK8sOk(
                "run",
                "--rm",
                "--snapshotter",
                SNAPSHOTTER,
                source,
                "remote-run",
                "cat",
                "/data/needed.txt")
            .strip();
    assertThat(out).isEqualTo("needed");
    List<NginxStratum.Request> fetched = stratum.requestsSince(before);
    assertThat(fetched).as("objects fetched on first read").isNotEmpty();
    assertThat(fetched.stream().filter(r -> r.bytes() >= ThinImagesIT.BLOB_BYTES))
        .as("none of the 2 MiB blobs the task does not read")
        .isEmpty();
  }
}
