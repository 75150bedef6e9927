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
@Tag("registry")
@Tag("containerd")
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
    WorkDirs.closeAll(work, containerd, builder, registry);
  }

  @Test
  @Order(1)
  void pull_unpacksThroughTheSnapshotter_andTheRootfsEqualsOverlayfss() throws Exception {
    containerd.ctrOk("images", "pull", "--plain-http", "--snapshotter", SNAP, ref);
    containerd.ctrOk("images", "pull", "--plain-http", "--snapshotter", "overlayfs", ref);
    String snapshots = containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls");
    assertThat(snapshots.lines().filter(l -> l.contains("Committed")).count())
        .as("one committed snapshot per layer (RUN true makes none): %s", snapshots)
        .isEqualTo(3);
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

  Map<String, TarListing.Entry> listing(String snapshotter) throws Exception {
    return listing(containerd, work, snapshotter);
  }

  /**
   * The rootfs of the one image unpacked in {@code snapshotter} (its top committed snapshot), as an
   * active snapshot above it mounted by the mount records the snapshotter returns shows it, listed
   * by GNU tar in name order (so hardlinks name the same first file whatever the directory order).
   * ctr 1.6's {@code images mount} ignores {@code --snapshotter}, hence the snapshot by hand.
   */
  static Map<String, TarListing.Entry> listing(
      ContainerdDaemon containerd, Path work, String snapshotter) throws Exception {
    List<String[]> rows =
        containerd
            .ctrOk("snapshots", "--snapshotter", snapshotter, "ls")
            .lines()
            .skip(1)
            .map(l -> l.trim().split("\\s+"))
            .filter(r -> r[r.length - 1].equals("Committed"))
            .toList();
    List<String> tops =
        rows.stream()
            .map(r -> r[0])
            .filter(k -> rows.stream().noneMatch(r -> r.length == 3 && r[1].equals(k)))
            .toList();
    assertThat(tops).as("one image in %s", snapshotter).hasSize(1);
    String key = "listing-" + snapshotter;
    Path mnt = Files.createDirectories(work.resolve("mnt-" + snapshotter));
    // prepare, not view: ctr labels what it prepares as a gc root, and an unlabelled view can be
    // collected by containerd's garbage collector before it is mounted
    containerd.ctrOk("snapshots", "--snapshotter", snapshotter, "prepare", key, tops.get(0));
    try {
      String mount =
          containerd.ctrOk(
              "snapshots", "--snapshotter", snapshotter, "mounts", mnt.toString(), key);
      Cmd.run("sh", "-c", mount).orThrow();
      try {
        Path tar = Files.createTempFile(work, "rootfs-" + snapshotter + "-", ".tar");
        Cmd.run(
                "tar",
                "--numeric-owner",
                "--sort=name",
                "-C",
                mnt.toString(),
                "-cf",
                tar.toString(),
                ".")
            .orThrow();
        try (InputStream in = Files.newInputStream(tar)) {
          return TarListing.read(in);
        }
      } finally {
        Cmd.run("umount", mnt.toString()).orThrow();
      }
    } finally {
      containerd.ctr("snapshots", "--snapshotter", snapshotter, "rm", key);
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

  @Test
  @Order(4)
  void runningContainer_keepsReadingAcrossASnapshotterRestart() throws Exception {
    containerd.ctrOk("run", "-d", "--snapshotter", SNAP, ref, "run-2", "sleep", "300");
    try {
      containerd.restartSnapshotter();
      assertThat(
              containerd.ctrOk(
                  "task", "exec", "--exec-id", "e1", "run-2", "sh", "-c", "cat /data/keep/a"))
          .isEqualTo("a");
      assertThat(containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls")).contains("run-2");
    } finally {
      containerd.ctr("task", "delete", "--force", "run-2");
      containerd.ctr("containers", "delete", "run-2");
    }
    assertThat(containerd.ctrOk("snapshots", "--snapshotter", SNAP, "ls")).doesNotContain("run-2");
  }
}
