package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.driver.archive.Trees;
import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.ContainerdDaemon;
import io.cvmfsthin.e2e.support.CvmfsConfig;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Thin images under a real containerd 1.6 with our snapshotter: the converter's thin image pulled
 * by {@code ctr}, its one tiny layer committed as a thin snapshot, run lazily through the FUSE
 * client (only the files read are fetched), its files equal to the source image's under
 * containerd's overlayfs snapshotter.
 */
@Tag("registry")
@Tag("containerd")
@Tag("docker")
@Tag("fuse")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdThinImagesIT {
  static final String SNAP = ContainerdDaemon.SNAPSHOTTER;

  Path work;
  LocalRegistry registry;
  NginxStratum stratum;
  PrivateDockerd builder;
  ContainerdDaemon containerd;
  String source;
  String thin;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    registry = new LocalRegistry(work.resolve("registry")).start();
    Path storage = work.resolve("stratum");
    Path keys = work.resolve("keys");
    Cli.createRepository(storage, keys, ThinImagesIT.FQRN);
    stratum = new NginxStratum(work.resolve("nginx"), storage).start();

    builder = new PrivateDockerd(work.resolve("builder")).start("overlay2");
    TestImages.importBusybox(builder, work.resolve("img"), "test/base:1");
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), ThinImagesIT.dockerfile());
    source = registry.address() + "/e2e/app:1";
    TestImages.build(builder, ctx, source);
    builder.dockerOk("push", source);
    builder.close();
    builder = null;
    Cli.convert(source, storage, keys, ThinImagesIT.FQRN);
    thin = registry.address() + "/e2e/app_thin:1";

    Path etc =
        CvmfsConfig.add(
            work.resolve("etc-cvmfs"),
            ThinImagesIT.FQRN,
            keys.resolve(ThinImagesIT.FQRN + ".pub"),
            stratum.serverUrl());
    containerd =
        ContainerdDaemon.start(
            work.resolve("containerd"), List.of("--cvmfs-config", etc.toString()), true);
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, containerd, builder, stratum, registry);
  }

  @Test
  @Order(1)
  void pullAndRun_fetchOnlyTheFilesRead() throws IOException {
    int before = stratum.requests().size();
    containerd.ctrOk("images", "pull", "--plain-http", "--snapshotter", SNAP, thin);
    String snapshots = containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls");
    assertThat(snapshots.lines().filter(l -> l.contains("Committed")).count())
        .as("the thin layer only: %s", snapshots)
        .isEqualTo(1);
    String out =
        containerd.ctrOk(
            "run", "--rm", "--snapshotter", SNAP, thin, "thin-1", "cat", "/data/needed.txt");
    assertThat(out).isEqualTo("needed");
    List<NginxStratum.Request> fetched = stratum.requestsSince(before);
    assertThat(fetched).allMatch(r -> r.status() == 200 || r.status() == 304);
    assertThat(fetched.stream().filter(r -> r.bytes() >= ThinImagesIT.BLOB_BYTES))
        .as("no 2 MiB blob fetched")
        .isEmpty();
  }

  @Test
  @Order(2)
  void files_equalTheSourceImagesUnderOverlayfs() throws Exception {
    containerd.ctrOk("images", "pull", "--plain-http", "--snapshotter", "overlayfs", source);
    assertThat(ContainerdSnapshotterIT.listing(containerd, work, SNAP))
        .isEqualTo(ContainerdSnapshotterIT.listing(containerd, work, "overlayfs"));
  }

  @Test
  @Order(3)
  void thinJsonWithDotDot_isRefused_namingTheLayer() throws Exception {
    Cmd.Result r =
        containerd.ctr("snapshots", "--snapshotter", SNAP, "prepare", "evil-extract", "");
    r.orThrow();
    String mounts =
        containerd.ctrOk("snapshots", "--snapshotter", SNAP, "mounts", "/x", "evil-extract");
    Path fs = Path.of(mounts.replaceFirst(".* bind ([^ ]+) .*", "$1"));
    Files.writeString(
        fs.resolve("thin.json"),
        "{\"version\":\"1.0\",\"layers\":[{\"digest\":\""
            + "a".repeat(64)
            + "\",\"url\":\"cvmfs://"
            + ThinImagesIT.FQRN
            + "/a/../b\"}]}");
    Cmd.Result commit =
        containerd.ctr("snapshots", "--snapshotter", SNAP, "commit", "evil", "evil-extract");
    assertThat(commit.exit()).isNotZero();
    assertThat(commit.stderr()).contains("layer").contains("..").contains("invalid argument");
    containerd.ctrOk("snapshots", "--snapshotter", SNAP, "rm", "evil-extract");
  }

  /**
   * The repository is down (nginx stopped) and the snapshotter restarted with an empty CVMFS cache:
   * running the thin image fails at once with containerd's "unavailable" and a message naming the
   * snapshot and the repository, instead of a hang or an empty root.
   */
  /**
   * Issue 17 under containerd: the snapshotter runs as {@code supervise -- snapshotter} (as its
   * systemd unit does); a thin container reads its 2 MiB blobs in a loop from its working directory
   * in the image (the first reads fetch them), one blob held open, while the serving JVM is
   * SIGKILLed three times: every read returns the bytes of the first read of that blob, the held
   * file reads to its end, nothing fails or hangs.
   */
  @Test
  @Order(4)
  void snapshotterWorkerKilled_runningThinContainerKeepsReading() throws Exception {
    Path out = work.resolve("loop.log");
    String script =
        String.join(
            "\n",
            "cd /data",
            "exec 3< blob-1",
            "head -c 100 <&3 >/dev/null",
            "while [ ! -e /stop ]; do",
            "  for i in $(seq " + ThinImagesIT.BLOBS + "); do",
            "    s=$(sha256sum blob-$i | cut -d' ' -f1) || echo FAILED blob-$i",
            "    if [ -e /tmp/sum-$i ]; then",
            "      [ \"$(cat /tmp/sum-$i)\" = \"$s\" ] || echo FAILED blob-$i differs",
            "    else echo $s > /tmp/sum-$i; fi",
            "    echo read blob-$i",
            "    sleep 0.2",
            "  done",
            "done",
            "cat <&3 > /tmp/rest || echo FAILED held",
            "n=$(wc -c < /tmp/rest)",
            "tail -c $n blob-1 | cmp - /tmp/rest && echo HELD-OK",
            "echo done");
    containerd.ctrOk(
        "run",
        "-d",
        "--snapshotter",
        SNAP,
        "--log-uri",
        out.toUri().toString(),
        thin,
        "thin-loop",
        "sh",
        "-c",
        script);
    try {
      awaitLines(out, "read ", 3);
      for (int k = 0; k < 3; k++) {
        int before = count(out, "read ");
        containerd.killSnapshotterWorker();
        awaitLines(out, "read ", before + 4); // bounded: a hung read fails here
      }
      awaitLines(out, "read ", 2 * ThinImagesIT.BLOBS);
      containerd.ctrOk("task", "exec", "--exec-id", "stop", "thin-loop", "touch", "/stop");
      awaitLines(out, "done", 1);
      String log = Files.readString(out);
      assertThat(log).doesNotContain("FAILED").contains("HELD-OK");
    } finally {
      containerd.ctr("task", "kill", "-s", "SIGKILL", "thin-loop");
      Thread.sleep(1000);
      containerd.ctr("task", "rm", "-f", "thin-loop");
      containerd.ctr("containers", "rm", "thin-loop");
    }
  }

  private static int count(Path log, String prefix) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    return (int) Files.readAllLines(log).stream().filter(l -> l.contains(prefix)).count();
  }

  private static void awaitLines(Path log, String prefix, int n) throws Exception {
    for (int i = 0; i < 480 && count(log, prefix) < n; i++) {
      Thread.sleep(250);
    }
    assertThat(count(log, prefix))
        .as("'%s' lines within 120 s in %s", prefix, log)
        .isGreaterThanOrEqualTo(n);
  }

  @Test
  @Order(5)
  void repositoryDown_runFails_namingTheRepository() throws Exception {
    stratum.close();
    containerd.restartSnapshotter(
        () -> Trees.deleteRecursively(containerd.snapshotterRoot().resolve("cache")));
    Cmd.Result r =
        containerd.ctr(
            Duration.ofMinutes(3),
            "run",
            "--rm",
            "--snapshotter",
            SNAP,
            thin,
            "thin-down",
            "cat",
            "/data/needed.txt");
    assertThat(r.exit()).as(r.stdout()).isNotZero();
    assertThat(r.stderr()).contains("repository " + ThinImagesIT.FQRN).contains("unavailable");
  }
}
