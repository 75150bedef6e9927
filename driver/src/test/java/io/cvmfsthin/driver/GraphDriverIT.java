package io.cvmfsthin.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.linux.MountInfo;
import io.cvmfsthin.driver.archive.TestTar;
import io.cvmfsthin.driver.commit.CommitPublisher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver as dockerd uses it, with real overlay mounts. */
@Tag("root")
class GraphDriverIT {
  static final String B = "b".repeat(64);
  static final String L = "c".repeat(64);
  static final String M = "d".repeat(64);

  @TempDir Path tmp;
  final List<GraphDriver> drivers = new ArrayList<>();

  GraphDriver driver(Path home) throws IOException {
    GraphDriver d =
        new GraphDriver(Host.linux(), RepositoryMounts.NONE, CommitPublisher.NONE, Duration.ZERO);
    d.init(home, List.of());
    drivers.add(d);
    return d;
  }

  @AfterEach
  void unmountAll() throws IOException {
    for (GraphDriver d : drivers) {
      d.cleanup();
    }
  }

  static MountInfo mounts() throws IOException {
    return MountInfo.parse(Files.readString(Path.of("/proc/self/mountinfo")));
  }

  static InputStream tar(TestTar t) {
    return t.stream();
  }

  /** B: /etc/{passwd,removeme}, /d1/{old1,old2}; L: deletes removeme, d1 emptied + refilled. */
  GraphDriver twoLayers(Path home) throws IOException {
    GraphDriver d = driver(home);
    d.create(CreateRequest.of(B, ""));
    d.applyDiff(
        B,
        "",
        tar(
            new TestTar()
                .dir("etc", 0755)
                .file("etc/passwd", "root")
                .file("etc/removeme", "bye")
                .dir("d1", 0755)
                .file("d1/old1", "1")
                .file("d1/old2", "2")));
    d.create(CreateRequest.of(L, B));
    d.applyDiff(
        L,
        B,
        tar(
            new TestTar()
                .dir("etc", 0755)
                .file("etc/passwd", "root2")
                .file("etc/.wh.removeme", "")
                .dir("d1", 0755)
                .file("d1/.wh..wh..opq", "")
                .file("d1/only.txt", "only")
                .file("newfile", "new")));
    return d;
  }

  @Test
  void layout_isOverlay2s(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    String linkB = Files.readString(home.resolve(B + "/link"));
    String linkL = Files.readString(home.resolve(L + "/link"));
    assertThat(linkB).matches("[A-Z2-7]{26}");
    assertThat(Files.readSymbolicLink(home.resolve("l/" + linkB)))
        .isEqualTo(Path.of("../" + B + "/diff"));
    assertThat(Files.readString(home.resolve(L + "/lower"))).isEqualTo("l/" + linkB);
    assertThat(home.resolve(B + "/lower")).doesNotExist();
    assertThat(home.resolve(B + "/work")).doesNotExist();
    assertThat(home.resolve(L + "/work")).isDirectory();
    assertThat(home.resolve(B + "/committed")).exists();
    assertThat(Files.getPosixFilePermissions(home.resolve("l")))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
            java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
    assertThat(d.get(B, "")).isEqualTo(home.resolve(B + "/diff"));

    d.createReadWrite(CreateRequest.of(M, L));
    assertThat(Files.readString(home.resolve(M + "/lower")))
        .isEqualTo("l/" + linkL + ":l/" + linkB);
    Map<String, String> meta = d.getMetadata(M);
    assertThat(meta.get("LowerDir"))
        .isEqualTo(home.resolve(L + "/diff") + ":" + home.resolve(B + "/diff"));
    assertThat(meta.get("UpperDir")).isEqualTo(home.resolve(M + "/diff").toString());
    assertThat(d.status())
        .containsEntry("Backing Filesystem", "extfs")
        .containsEntry("Native Overlay Diff", "true");
    assertThat(d.capabilities().reproducesExactDiffs()).isFalse();
  }

  @Test
  void get_mountsMergedView_refCounted_putUnmounts(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    d.createReadWrite(CreateRequest.of(M, L));
    Path merged = d.get(M, "");
    assertThat(merged).isEqualTo(home.resolve(M + "/merged"));
    assertThat(mounts().isMountPoint(merged)).isTrue();
    assertThat(merged.resolve("etc/passwd")).hasContent("root2");
    assertThat(merged.resolve("etc/removeme")).doesNotExist();
    assertThat(Files.list(merged.resolve("d1")).map(p -> p.getFileName().toString()))
        .containsExactly("only.txt");
    assertThat(merged.resolve("newfile")).hasContent("new");

    Files.writeString(merged.resolve("written"), "w");
    assertThat(home.resolve(M + "/diff/written")).hasContent("w");

    assertThat(d.get(M, "")).isEqualTo(merged);
    d.put(M);
    assertThat(mounts().isMountPoint(merged)).isTrue();
    d.put(M);
    assertThat(mounts().isMountPoint(merged)).isFalse();
    assertThat(merged).doesNotExist();
    d.put(M); // a put too many is harmless
  }

  @Test
  void get_ofImageLayerWithChild_mountsReadOnly(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    d.createReadWrite(CreateRequest.of(M, L)); // L is now committed
    Path merged = d.get(L, "");
    assertThat(merged.resolve("d1/only.txt")).hasContent("only");
    assertThatThrownBy(() -> Files.writeString(merged.resolve("x"), "x"))
        .isInstanceOf(IOException.class);
    d.put(L);
  }

  @Test
  void homeWithColon_mounts(@TempDir Path tmp) throws Exception {
    Path home = tmp.resolve("data/gdexp/gd:latest");
    GraphDriver d = twoLayers(home);
    d.createReadWrite(CreateRequest.of(M, L));
    assertThat(d.get(M, "").resolve("newfile")).hasContent("new");
    d.put(M);
  }

  @Test
  void lowers_128_mount_129_areRefusedClearly(@TempDir Path home) throws Exception {
    GraphDriver d = driver(home);
    String parent = "";
    for (int i = 0; i < 129; i++) {
      String id = String.format("%064d", i);
      d.create(CreateRequest.of(id, parent));
      d.applyDiff(id, parent, tar(new TestTar().file("f" + i, "layer " + i).file("top", "" + i)));
      parent = id;
    }
    // layer 128 has 128 lowers: the deepest chain overlay2 allows; it mounts
    String top = String.format("%064d", 128);
    Path merged = d.get(top, "");
    assertThat(merged.resolve("top")).hasContent("128");
    assertThat(merged.resolve("f0")).hasContent("layer 0");
    d.put(top);
    assertThatThrownBy(() -> d.createReadWrite(CreateRequest.of(M, top)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max depth exceeded: layer " + M + " would have 129 lower layers");
    assertThat(home.resolve(M)).doesNotExist();
  }

  @Test
  void remove_forgetsLayerAndLink_evenWhenMounted(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    d.createReadWrite(CreateRequest.of(M, L));
    String link = Files.readString(home.resolve(M + "/link"));
    Path merged = d.get(M, "");
    d.remove(M);
    assertThat(mounts().isMountPoint(merged)).isFalse();
    assertThat(home.resolve(M)).doesNotExist();
    assertThat(home.resolve("l/" + link)).doesNotExist();
    d.remove(M); // again: fine
    assertThat(d.exists(M)).isFalse();
    assertThat(d.exists(L)).isTrue();
  }

  @Test
  void restart_newDriverFindsLayersMountsAndCounts(@TempDir Path home) throws Exception {
    GraphDriver first = twoLayers(home);
    first.createReadWrite(CreateRequest.of(M, L));
    Path merged = first.get(M, "");
    first.get(M, "");
    // simulated crash: the first driver object is dropped without put or cleanup
    drivers.remove(first);
    GraphDriver second = driver(home);
    assertThat(second.exists(L)).isTrue();
    assertThat(second.get(M, "")).isEqualTo(merged); // count 3
    second.put(M);
    second.put(M);
    assertThat(mounts().isMountPoint(merged)).isTrue();
    second.put(M);
    assertThat(mounts().isMountPoint(merged)).isFalse();
  }

  @Test
  void restart_mountWithoutRecordedCount_isPutOnce(@TempDir Path home) throws Exception {
    GraphDriver first = twoLayers(home);
    first.createReadWrite(CreateRequest.of(M, L));
    Path merged = first.get(M, "");
    drivers.remove(first);
    Files.delete(home.resolve(M + "/mounts")); // as if the count was never written
    GraphDriver second = driver(home);
    second.put(M);
    assertThat(mounts().isMountPoint(merged)).isFalse();
  }

  @Test
  void applyDiff_interruptedMidStream_leavesNoLayerContent(@TempDir Path home) throws Exception {
    GraphDriver d = driver(home);
    d.create(CreateRequest.of(B, ""));
    byte[] bytes = new TestTar().file("a", "a").file("big", "x".repeat(100_000)).bytes();
    InputStream failing =
        new InputStream() {
          int pos;

          @Override
          public int read() throws IOException {
            if (pos >= 50_000) {
              throw new IOException("connection reset by peer");
            }
            return bytes[pos++] & 0xff;
          }
        };
    assertThatThrownBy(() -> d.applyDiff(B, "", failing)).hasMessageContaining("connection reset");
    assertThat(Files.list(home.resolve(B + "/diff"))).isEmpty();
    assertThat(Files.list(home.resolve(B)).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("diff", "link");
    // the layer can be applied afterwards
    assertThat(d.applyDiff(B, "", new ByteArrayInputStream(bytes))).isEqualTo(100_001);
  }

  @Test
  void crashDuringApply_partialIsRemovedAtStart(@TempDir Path home) throws Exception {
    GraphDriver d = driver(home);
    d.create(CreateRequest.of(B, ""));
    // what a killed process leaves: a partial extraction beside diff, a half-made layer
    Path partial = home.resolve(B + "/diff.partial-1234");
    Files.createDirectories(partial.resolve("usr/bin"));
    Files.writeString(partial.resolve("usr/bin/half"), "half");
    Files.createDirectories(home.resolve(".tmp-" + L + "-99/diff"));
    Files.createDirectories(home.resolve(".removing-" + M + "-98/diff"));
    drivers.remove(d);
    GraphDriver restarted = driver(home);
    assertThat(partial).doesNotExist();
    assertThat(Files.list(home).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder(B, "l");
    assertThat(restarted.exists(B)).isTrue();
    assertThat(Files.list(home.resolve(B + "/diff"))).isEmpty();
  }

  @Test
  void diff_thenApplyDiff_reproducesTheTree(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    byte[] cap = {1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    d.createReadWrite(CreateRequest.of(M, L));
    Path merged = d.get(M, "");
    // a container's changes, made through the mount as a container makes them
    Files.writeString(merged.resolve("etc/passwd"), "changed");
    Files.delete(merged.resolve("newfile"));
    Files.createDirectories(merged.resolve("usr/lib/" + "n".repeat(200)));
    Files.writeString(merged.resolve("usr/lib/" + "n".repeat(200) + "/f"), "long");
    Files.writeString(merged.resolve("usr/a"), "hard");
    Files.createLink(merged.resolve("usr/b"), merged.resolve("usr/a"));
    Files.setAttribute(merged.resolve("usr/a"), "unix:mode", 04755);
    new io.cvmfsthin.driver.store.LibcXattrs()
        .set(merged.resolve("usr/a"), "security.capability", cap);
    Files.createSymbolicLink(merged.resolve("usr/sh"), Path.of("/bin/busybox"));
    new io.cvmfsthin.driver.store.LibcDeviceNodes().fifo(merged.resolve("usr/fifo"), 0600);
    for (String p : List.of("d1/only.txt")) {
      Files.delete(merged.resolve(p));
    }
    Files.delete(merged.resolve("d1"));
    Files.createDirectory(merged.resolve("d1"));
    Files.writeString(merged.resolve("d1/again"), "again");
    d.put(M);

    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    try (InputStream diff = d.diff(M, L + "")) {
      diff.transferTo(layer);
    }
    String copy = "e".repeat(64);
    d.create(CreateRequest.of(copy, L));
    d.applyDiff(copy, L, new ByteArrayInputStream(layer.toByteArray()));
    assertThat(TreeSnapshot.of(home.resolve(copy + "/diff"), true))
        .isEqualTo(TreeSnapshot.of(home.resolve(M + "/diff"), true));
    assertThat(d.diffSize(copy, L)).isEqualTo(d.diffSize(M, L));

    // and the committed image shows what the container saw
    String run = "f".repeat(64);
    d.createReadWrite(CreateRequest.of(run, copy));
    Path view = d.get(run, "");
    assertThat(view.resolve("etc/passwd")).hasContent("changed");
    assertThat(view.resolve("newfile")).doesNotExist();
    assertThat(Files.list(view.resolve("d1")).map(p -> p.getFileName().toString()))
        .containsExactly("again");
    d.put(run);
  }

  @Test
  void diff_againstGrandparent_isNaive_andReproducesTheView(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    d.createReadWrite(CreateRequest.of(M, L));
    Path merged = d.get(M, "");
    Files.writeString(merged.resolve("etc/passwd"), "from M");
    d.put(M);
    // M against B (not its parent): L's and M's changes together, from mounted views
    assertThat(d.changes(M, B))
        .contains(
            new Change("/etc/passwd", Change.MODIFIED),
            new Change("/etc/removeme", Change.DELETED),
            new Change("/d1/old1", Change.DELETED),
            new Change("/d1/only.txt", Change.ADDED),
            new Change("/newfile", Change.ADDED));
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    try (InputStream diff = d.diff(M, B)) {
      diff.transferTo(layer);
    }
    assertThat(mounts().isMountPoint(home.resolve(M + "/merged"))).isFalse(); // released
    String flat = "e".repeat(64);
    d.create(CreateRequest.of(flat, B));
    d.applyDiff(flat, B, new ByteArrayInputStream(layer.toByteArray()));
    String check = "f".repeat(64);
    d.createReadWrite(CreateRequest.of(check, flat));
    Path view = d.get(check, "");
    assertThat(view.resolve("etc/passwd")).hasContent("from M");
    assertThat(view.resolve("etc/removeme")).doesNotExist();
    assertThat(view.resolve("newfile")).hasContent("new");
    assertThat(Files.list(view.resolve("d1")).map(p -> p.getFileName().toString()))
        .containsExactly("only.txt");
    d.put(check);
    assertThat(d.diffSize(M, B)).isEqualTo("from M".length() + "only".length() + "new".length());
  }

  @Test
  void changes_asOverlay2(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    assertThat(d.changes(L, B))
        .containsExactly(
            new Change("/d1", Change.MODIFIED), // opaque: lower content listed as deleted
            new Change("/d1/old1", Change.DELETED),
            new Change("/d1/old2", Change.DELETED),
            new Change("/d1/only.txt", Change.ADDED),
            new Change("/etc/passwd", Change.MODIFIED), // /etc itself is unchanged (same mtime)
            new Change("/etc", Change.MODIFIED), // reported as the parent of a deletion
            new Change("/etc/removeme", Change.DELETED),
            new Change("/newfile", Change.ADDED));
    assertThat(d.diffSize(L, B)).isEqualTo("root2".length() + "only".length() + "new".length());
    assertThatThrownBy(() -> d.changes(L, "0".repeat(64)))
        .isInstanceOf(LayerNotFoundException.class);
  }

  @Test
  void concurrentCalls_areSerialisedPerLayer(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    d.createReadWrite(CreateRequest.of(M, L));
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int n = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    Path merged = d.get(M, "");
                    assertThat(merged.resolve("newfile")).hasContent("new");
                    d.put(M);
                  }
                  String id = String.format("%064d", n); // parallel applies of other layers
                  d.create(CreateRequest.of(id, B));
                  d.applyDiff(id, B, tar(new TestTar().file("t" + n, "x")));
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(mounts().isMountPoint(home.resolve(M + "/merged"))).isFalse();
    assertThat(home.resolve(M + "/mounts")).doesNotExist();
    for (int t = 0; t < 8; t++) {
      assertThat(home.resolve(String.format("%064d", t) + "/diff/t" + t)).hasContent("x");
    }
  }

  @Test
  void cleanup_unmountsEverything(@TempDir Path home) throws Exception {
    GraphDriver d = twoLayers(home);
    d.createReadWrite(CreateRequest.of(M, L));
    Path m1 = d.get(M, "");
    Path m2 = d.get(L, "");
    d.cleanup();
    assertThat(mounts().isMountPoint(m1)).isFalse();
    assertThat(mounts().isMountPoint(m2)).isFalse();
    assertThat(home.resolve(M + "/diff")).isDirectory();
  }

  @Test
  void create_validatesStorageOptionsAndParent(@TempDir Path home) throws Exception {
    GraphDriver d = driver(home);
    assertThatThrownBy(
            () -> d.createReadWrite(new CreateRequest(M, "", null, Map.of("size", "1G"))))
        .hasMessageContaining("--storage-opt is supported only for overlay over xfs");
    assertThatThrownBy(() -> d.create(CreateRequest.of(M, B)))
        .isInstanceOf(LayerNotFoundException.class);
    assertThatThrownBy(() -> d.create(CreateRequest.of("../x", "")))
        .hasMessageContaining("not a valid id");
    assertThat(Files.list(home).map(p -> p.getFileName().toString())).containsExactly("l");
  }
}
