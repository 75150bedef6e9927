package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.ContainerdDaemon;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TarListing;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Ordinary images under a real containerd 1.6 whose proxy snapshotter is ours: pulled and unpacked
 * through it, compared with containerd's built-in overlayfs snapshotter on the same image, run
 * after a restart of the snapshotter, and containerd's errors for bad requests.
 */
@Tag("docker")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdSnapshotterIT {
  static final String SNAP = ContainerdDaemon.SNAPSHOTTER;

  Path work;
  PrivateDockerd builder;
  LocalRegistry registry;
  ContainerdDaemon containerd;
  String ref;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    registry = new LocalRegistry(work.resolve("registry")).start();
    builder = new PrivateDockerd(work.resolve("builder")).start("overlay2");
    TestImages.importBusybox(builder, work.resolve("img"), "test/base:1");
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), PluginOrdinaryImagesIT.CORNERS_DOCKERFILE);
    TestImages.build(builder, ctx, "test/corners:1");
    ref = registry.address() + "/test/corners:1";
    builder.dockerOk("tag", "test/corners:1", ref);
    builder.dockerOk("push", ref);
    builder.close();
    builder = null;
    Path etc = Files.createDirectories(work.resolve("etc-cvmfs"));
    containerd =
        ContainerdDaemon.start(
            work.resolve("containerd"), List.of("--cvmfs-config", etc.toString()));
  }

  @AfterAll
  void stop() {
    if (containerd != null) {
      containerd.ctr("images", "unmount", work.resolve("mnt").toString());
    }
    WorkDirs.closeAll(work, containerd, builder, registry);
  }

  @Test
  @Order(1)
  void pull_unpacksThroughTheSnapshotter_andTheRootfsEqualsOverlayfss() throws Exception {
    containerd.ctrOk("images", "pull", "--plain-http", "--snapshotter", SNAP, ref);
    containerd.ctrOk("images", "pull", "--plain-http", "--snapshotter", "overlayfs", ref);
    String snapshots = containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls");
    assertThat(snapshots.lines().filter(l -> l.contains("Committed")).count())
        .as("one committed snapshot per layer: %s", snapshots)
        .isEqualTo(4);
    assertThat(containerd.snapshotterRoot().resolve("metadata.json")).isRegularFile();

    Map<String, TarListing.Entry> ours = listing(SNAP);
    Map<String, TarListing.Entry> overlayfs = listing("overlayfs");
    assertThat(ours).isEqualTo(overlayfs);
    assertThat(ours)
        .containsKeys("suid", "fifo1", "chardev", "blockdev", "hardlink-a", "n".repeat(200))
        .doesNotContainKeys("data/gone", "tmp/f", "opq/old", "again/x");
    assertThat(ours.get("suid").mode()).isEqualTo("4755");
    assertThat(ours.get("blockdev").device()).isEqualTo("7,200");
  }

  /** The image's rootfs as {@code ctr images mount} shows it, listed by GNU tar in name order. */
  Map<String, TarListing.Entry> listing(String snapshotter) throws Exception {
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    containerd.ctrOk("images", "mount", "--snapshotter", snapshotter, ref, mnt.toString());
    try {
      Path tar = work.resolve("rootfs-" + snapshotter + ".tar");
      Process p =
          new ProcessBuilder(
                  "tar",
                  "--numeric-owner",
                  "--sort=name",
                  "-C",
                  mnt.toString(),
                  "-cf",
                  tar.toString(),
                  ".")
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("tar-" + snapshotter + ".log").toFile())
              .start();
      assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).as("tar of %s", mnt).isZero();
      try (InputStream in = Files.newInputStream(tar)) {
        return TarListing.read(in);
      }
    } finally {
      containerd.ctrOk("images", "unmount", "--rm", mnt.toString());
    }
  }

  @Test
  @Order(2)
  void run_afterASnapshotterRestart_seesTheImage() throws Exception {
    String before = containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls");
    containerd.restartSnapshotter();
    assertThat(containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls")).isEqualTo(before);
    String out =
        containerd.ctrOk(
            "run",
            "--rm",
            "--snapshotter",
            SNAP,
            ref,
            "run-1",
            "sh",
            "-c",
            "cat /data/keep/a /again/y /opq/new; ls /opq; stat -c '%a %u:%g' /suid /data/keep/a;"
                + " echo w > /written && cat /written");
    assertThat(out.lines()).containsExactly("a", "y", "3", "new", "4755 0:0", "644 1000:1000", "w");
    assertThat(containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls")).doesNotContain("run-1");
  }

  @Test
  @Order(3)
  void badRequests_getContainerdsErrors_namingTheKey() {
    Cmd.Result unknown = containerd.ctr("snapshots", "--snapshotter", SNAP, "info", "no-such-key");
    assertThat(unknown.exit()).isNotZero();
    assertThat(unknown.stderr()).contains("no-such-key").contains("not found");

    containerd.ctrOk("snapshots", "--snapshotter", SNAP, "prepare", "bad-1", "");
    Cmd.Result again = containerd.ctr("snapshots", "--snapshotter", SNAP, "prepare", "bad-1", "");
    assertThat(again.exit()).isNotZero();
    assertThat(again.stderr()).contains("bad-1").contains("already exists");

    containerd.ctrOk("snapshots", "--snapshotter", SNAP, "commit", "bad-parent", "bad-1");
    containerd.ctrOk("snapshots", "--snapshotter", SNAP, "prepare", "bad-child", "bad-parent");
    Cmd.Result withChild = containerd.ctr("snapshots", "--snapshotter", SNAP, "rm", "bad-parent");
    assertThat(withChild.exit()).isNotZero();
    assertThat(withChild.stderr()).contains("bad-parent").contains("failed precondition");

    containerd.ctrOk("snapshots", "--snapshotter", SNAP, "rm", "bad-child");
    containerd.ctrOk("snapshots", "--snapshotter", SNAP, "rm", "bad-parent");
    assertThat(containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls")).doesNotContain("bad-");
  }
}
