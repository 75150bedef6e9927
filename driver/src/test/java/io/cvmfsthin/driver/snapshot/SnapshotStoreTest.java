package io.cvmfsthin.driver.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.driver.RepositoryMounts;
import io.cvmfsthin.thinimage.thin.CvmfsUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot store on plain directories: no root, no FUSE, no containerd. */
class SnapshotStoreTest {
  static final String REPO = "unpacked.cern.ch";
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path root;
  @TempDir Path cvmfs;
  Repos repos;
  RemoteLayers remote = RemoteLayers.NONE;
  SnapshotStore store;

  /** Repositories as plain directories under {@link #cvmfs}, references counted. */
  static final class Repos implements RepositoryMounts {
    final Path base;
    final Map<String, Integer> refs = new HashMap<>();

    Repos(Path base) {
      this.base = base;
    }

    @Override
    public boolean isConfigured(String fqrn) {
      return Files.isDirectory(base.resolve(fqrn));
    }

    @Override
    public synchronized Path acquire(String fqrn) throws IOException {
      if (!isConfigured(fqrn)) {
        throw new IOException("repository " + fqrn + " is down");
      }
      refs.merge(fqrn, 1, Integer::sum);
      return base.resolve(fqrn);
    }

    @Override
    public synchronized void release(String fqrn) {
      refs.merge(fqrn, -1, Integer::sum);
    }

    synchronized int refs(String fqrn) {
      return refs.getOrDefault(fqrn, 0);
    }
  }

  @BeforeEach
  void open() throws IOException {
    repos = new Repos(cvmfs);
    Files.createDirectories(cvmfs.resolve(REPO).resolve(".layers/aa/base/layerfs"));
    Files.createDirectories(cvmfs.resolve(REPO).resolve(".layers/bb/top/layerfs"));
    store = reopen();
  }

  SnapshotStore reopen() throws IOException {
    return SnapshotStore.open(
        root, repos, digest -> remote.find(digest), CLOCK, new Random(1), true);
  }

  Path fs(String key) throws IOException {
    return root.resolve("snapshots").resolve(store.stat(key).id()).resolve("fs");
  }

  Path work(String key) throws IOException {
    return root.resolve("snapshots").resolve(store.stat(key).id()).resolve("work");
  }

  /** base (committed) ← mid (committed), like two image layers. */
  void twoLayers() throws IOException {
    store.prepare("extract-1", "", Map.of());
    Files.writeString(fs("extract-1").resolve("a"), "1");
    store.commit("base", "extract-1", Map.of());
    store.prepare("extract-2", "base", Map.of());
    store.commit("mid", "extract-2", Map.of());
  }

  @Nested
  class Mounts {
    @Test
    void activeWithoutParent_isRwBindOfItsFs() throws Exception {
      List<SnapshotMount> m = store.prepare("k", "", Map.of());
      assertThat(m)
          .containsExactly(new SnapshotMount("bind", fs("k").toString(), List.of("rw", "rbind")));
      assertThat(work("k")).isDirectory();
    }

    @Test
    void viewWithoutParent_isRoBind() throws Exception {
      assertThat(store.view("v", "", Map.of()))
          .containsExactly(new SnapshotMount("bind", fs("v").toString(), List.of("ro", "rbind")));
    }

    @Test
    void activeAboveTwo_isOverlayNewestFirst() throws Exception {
      twoLayers();
      List<SnapshotMount> m = store.prepare("c", "mid", Map.of());
      assertThat(m)
          .containsExactly(
              new SnapshotMount(
                  "overlay",
                  "overlay",
                  List.of(
                      "index=off",
                      "workdir=" + work("c"),
                      "upperdir=" + fs("c"),
                      "lowerdir=" + fs("mid") + ":" + fs("base"))));
      assertThat(store.mounts("c")).isEqualTo(m);
    }

    @Test
    void viewOfOne_isRoBindOfParent() throws Exception {
      twoLayers();
      assertThat(store.view("v", "base", Map.of()))
          .containsExactly(
              new SnapshotMount("bind", fs("base").toString(), List.of("ro", "rbind")));
    }

    @Test
    void viewOfTwo_isOverlayWithoutUpper() throws Exception {
      twoLayers();
      assertThat(store.view("v", "mid", Map.of()))
          .containsExactly(
              new SnapshotMount(
                  "overlay",
                  "overlay",
                  List.of("index=off", "lowerdir=" + fs("mid") + ":" + fs("base"))));
    }

    @Test
    void committed_hasNoMounts() throws Exception {
      twoLayers();
      assertThatThrownBy(() -> store.mounts("base"))
          .isInstanceOf(SnapshotException.class)
          .hasMessageContaining("base")
          .extracting(e -> ((SnapshotException) e).reason())
          .isEqualTo(SnapshotException.Reason.FAILED_PRECONDITION);
    }
  }

  @Nested
  class BadInput {
    void assertReason(ThrowingCall call, SnapshotException.Reason reason, String words) {
      assertThatThrownBy(call::run)
          .isInstanceOf(SnapshotException.class)
          .hasMessageContaining(words)
          .extracting(e -> ((SnapshotException) e).reason())
          .isEqualTo(reason);
    }

    @Test
    void unknownKey_isNotFound() {
      assertReason(() -> store.stat("nope"), SnapshotException.Reason.NOT_FOUND, "snapshot nope");
      assertReason(() -> store.mounts("nope"), SnapshotException.Reason.NOT_FOUND, "snapshot nope");
      assertReason(() -> store.remove("nope"), SnapshotException.Reason.NOT_FOUND, "snapshot nope");
      assertReason(
          () -> store.commit("x", "nope", Map.of()), SnapshotException.Reason.NOT_FOUND, "nope");
      assertReason(() -> store.usage("nope"), SnapshotException.Reason.NOT_FOUND, "nope");
    }

    @Test
    void unknownParent_isNotFound_andLeavesNothing() throws Exception {
      assertReason(
          () -> store.prepare("k", "ghost", Map.of()),
          SnapshotException.Reason.NOT_FOUND,
          "parent ghost");
      assertThat(store.list(List.of())).isEmpty();
      assertThat(root.resolve("snapshots")).isEmptyDirectory();
    }

    @Test
    void existingKey_isAlreadyExists() throws Exception {
      store.prepare("k", "", Map.of());
      assertReason(
          () -> store.prepare("k", "", Map.of()),
          SnapshotException.Reason.ALREADY_EXISTS,
          "snapshot k");
      store.commit("c", "k", Map.of());
      store.prepare("k2", "", Map.of());
      assertReason(
          () -> store.commit("c", "k2", Map.of()), SnapshotException.Reason.ALREADY_EXISTS, "c");
    }

    @Test
    void removeWithChildren_isFailedPrecondition() throws Exception {
      twoLayers();
      assertReason(
          () -> store.remove("base"),
          SnapshotException.Reason.FAILED_PRECONDITION,
          "snapshot base: has children (mid)");
      assertThat(fs("base")).isDirectory();
    }

    @Test
    void activeParent_isInvalid() throws Exception {
      store.prepare("k", "", Map.of());
      assertReason(
          () -> store.prepare("k2", "k", Map.of()),
          SnapshotException.Reason.INVALID_ARGUMENT,
          "parent k is active");
    }

    @Test
    void commitOfView_isFailedPrecondition() throws Exception {
      store.view("v", "", Map.of());
      assertReason(
          () -> store.commit("c", "v", Map.of()),
          SnapshotException.Reason.FAILED_PRECONDITION,
          "snapshot v: is view");
    }

    @Test
    void labelOver4KiB_isInvalid() throws Exception {
      String value = "x".repeat(4096 - 3);
      store.prepare("ok", "", Map.of("abc", value));
      assertReason(
          () -> store.prepare("k", "", Map.of("abcd", value)),
          SnapshotException.Reason.INVALID_ARGUMENT,
          "snapshot k: label abcd is 4097 bytes");
      assertReason(
          () -> store.update("ok", Map.of("abcd", value), List.of("labels.abcd")),
          SnapshotException.Reason.INVALID_ARGUMENT,
          "label abcd");
    }

    @Test
    void updateOfOtherField_isInvalid() throws Exception {
      store.prepare("k", "", Map.of());
      assertReason(
          () -> store.update("k", Map.of(), List.of("parent")),
          SnapshotException.Reason.INVALID_ARGUMENT,
          "cannot update field parent");
    }

    @Test
    void unsupportedFilter_isInvalid() {
      assertReason(
          () -> store.list(List.of("size==3")),
          SnapshotException.Reason.INVALID_ARGUMENT,
          "unsupported field size");
    }
  }

  @Test
  void commit_keepsContentAndId_dropsWorkAndKey() throws Exception {
    store.prepare("k", "", Map.of("a", "1"));
    String id = store.stat("k").id();
    Files.writeString(fs("k").resolve("f"), "hello");
    store.commit("c", "k", Map.of("b", "2"));
    Snapshot c = store.stat("c");
    assertThat(c.id()).isEqualTo(id);
    assertThat(c.kind()).isEqualTo(Kind.COMMITTED);
    assertThat(c.labels()).containsExactly(Map.entry("b", "2"));
    assertThat(fs("c").resolve("f")).hasContent("hello");
    assertThat(root.resolve("snapshots").resolve(id).resolve("work")).doesNotExist();
    assertThatThrownBy(() -> store.stat("k")).isInstanceOf(SnapshotException.class);
    assertThat(store.usage("c")).isEqualTo(new SnapshotStore.Usage(5, 2));
  }

  @Test
  void remove_deletesDirectories_andCleanupRemovesLeftovers() throws Exception {
    twoLayers();
    String id = store.stat("mid").id();
    store.remove("mid");
    assertThat(root.resolve("snapshots").resolve(id)).doesNotExist();
    Files.createDirectories(root.resolve("snapshots/999/fs"));
    store.cleanup();
    assertThat(root.resolve("snapshots/999")).doesNotExist();
    assertThat(fs("base")).isDirectory();
  }

  @Test
  void update_labelPaths() throws Exception {
    store.prepare("k", "", Map.of("a", "1", "b", "2"));
    store.update("k", Map.of("c", "3"), List.of("labels.c", "labels.a"));
    assertThat(store.stat("k").labels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("b", "2", "c", "3"));
    store.update("k", Map.of("z", "9"), List.of());
    assertThat(store.stat("k").labels()).containsExactly(Map.entry("z", "9"));
  }

  @Test
  void list_filtersByLabelAndKind() throws Exception {
    twoLayers();
    store.prepare("k", "mid", Map.of("containerd.io/gc.root", "x"));
    assertThat(store.list(List.of())).hasSize(3);
    assertThat(store.list(List.of("labels.\"containerd.io/gc.root\"")))
        .extracting(Snapshot::name)
        .containsExactly("k");
    assertThat(store.list(List.of("kind==committed,parent==base")))
        .extracting(Snapshot::name)
        .containsExactly("mid");
    assertThat(store.list(List.of("name==base", "name==k")))
        .extracting(Snapshot::name)
        .containsExactlyInAnyOrder("base", "k");
  }

  @Test
  void reopen_keepsEverything() throws Exception {
    twoLayers();
    store.prepare("c", "mid", Map.of("l", "v"));
    List<SnapshotMount> before = store.mounts("c");
    store.close();
    store = reopen();
    assertThat(store.list(List.of()))
        .extracting(Snapshot::name)
        .containsExactlyInAnyOrder("base", "mid", "c");
    assertThat(store.stat("c").labels()).containsExactly(Map.entry("l", "v"));
    assertThat(store.stat("c").created()).isEqualTo(CLOCK.instant());
    assertThat(store.mounts("c")).isEqualTo(before);
    store.prepare("d", "mid", Map.of());
    assertThat(store.stat("d").id()).isNotIn(store.stat("c").id(), store.stat("mid").id());
  }

  static String descriptor(String... urls) {
    StringBuilder layers = new StringBuilder();
    for (String url : urls) {
      layers.append(layers.length() == 0 ? "" : ",");
      layers
          .append("{\"digest\":\"")
          .append("a".repeat(64))
          .append("\",\"url\":\"")
          .append(url)
          .append("\"}");
    }
    return "{\"version\":\"1.0\",\"layers\":[" + layers + "]}";
  }

  @Nested
  class Thin {
    @Test
    void commitOfThinJson_makesChildrenMountCvmfsLayers_andRemoveReleases() throws Exception {
      store.prepare("extract", "", Map.of());
      Files.writeString(
          fs("extract").resolve("thin.json"),
          descriptor(
              "cvmfs://" + REPO + "/.layers/aa/base/layerfs",
              "cvmfs://" + REPO + "/.layers/bb/top/layerfs"));
      store.commit("thin", "extract", Map.of());
      assertThat(store.stat("thin").layers())
          .containsExactly(
              new LayerLocation(REPO, ".layers/bb/top/layerfs"),
              new LayerLocation(REPO, ".layers/aa/base/layerfs"));
      List<SnapshotMount> m = store.prepare("c", "thin", Map.of());
      Path r = cvmfs.resolve(REPO);
      assertThat(m.get(0).options())
          .contains(
              "lowerdir="
                  + r.resolve(".layers/bb/top/layerfs")
                  + ":"
                  + r.resolve(".layers/aa/base/layerfs"));
      store.view("v", "thin", Map.of());
      assertThat(repos.refs(REPO)).isEqualTo(1);
      store.remove("c");
      store.remove("v");
      store.remove("thin");
      assertThat(repos.refs(REPO)).isZero();
    }

    @Test
    void closeReleases() throws Exception {
      store.prepare("extract", "", Map.of());
      Files.writeString(
          fs("extract").resolve("thin.json"),
          descriptor("cvmfs://" + REPO + "/.layers/aa/base/layerfs"));
      store.commit("thin", "extract", Map.of());
      store.prepare("c", "thin", Map.of());
      assertThat(repos.refs(REPO)).isEqualTo(1);
      store.close();
      assertThat(repos.refs(REPO)).isZero();
    }

    @Test
    void thinJsonWithDotDot_isInvalid_namingTheLayer_andKeepsTheActiveSnapshot() throws Exception {
      store.prepare("extract", "", Map.of());
      Files.writeString(
          fs("extract").resolve("thin.json"), descriptor("cvmfs://" + REPO + "/a/../b"));
      assertThatThrownBy(() -> store.commit("thin", "extract", Map.of()))
          .isInstanceOf(SnapshotException.class)
          .hasMessageContaining("layer thin: thin.json: layers[0].url: segment '..'")
          .extracting(e -> ((SnapshotException) e).reason())
          .isEqualTo(SnapshotException.Reason.INVALID_ARGUMENT);
      assertThat(store.list(List.of())).extracting(Snapshot::name).containsExactly("extract");
    }

    @Test
    void missingLayerDirectory_failsPrepare_namingRepositoryAndPath_andLeavesNothing()
        throws Exception {
      store.prepare("extract", "", Map.of());
      Files.writeString(
          fs("extract").resolve("thin.json"),
          descriptor("cvmfs://" + REPO + "/.layers/cc/gone/layerfs"));
      store.commit("thin", "extract", Map.of());
      assertThatThrownBy(() -> store.prepare("c", "thin", Map.of()))
          .isInstanceOf(SnapshotException.class)
          .hasMessageContaining(
              "repository " + REPO + " has no layer directory .layers/cc/gone/layerfs");
      assertThat(store.list(List.of())).extracting(Snapshot::name).containsExactly("thin");
    }
  }

  @Nested
  class Remote {
    final List<String> asked = new ArrayList<>();

    Map<String, String> labels(String digest) {
      return Map.of(Labels.TARGET_REF, "layer-1", Labels.LAYER_DIGEST, digest);
    }

    @BeforeEach
    void fake() {
      remote =
          digest -> {
            asked.add(digest);
            return digest.equals("sha256:found")
                ? Optional.of(new CvmfsUrl(REPO, ".layers/aa/base/layerfs"))
                : Optional.empty();
          };
    }

    @Test
    void foundLayer_commitsRemoteSnapshot_andAnswersAlreadyExists() throws Exception {
      assertThatThrownBy(() -> store.prepare("extract-1", "", labels("sha256:found")))
          .isInstanceOf(SnapshotException.class)
          .hasMessageContaining("layer-1")
          .extracting(e -> ((SnapshotException) e).reason())
          .isEqualTo(SnapshotException.Reason.ALREADY_EXISTS);
      Snapshot s = store.stat("layer-1");
      assertThat(s.kind()).isEqualTo(Kind.COMMITTED);
      assertThat(s.labels())
          .containsEntry(Labels.REMOTE, "true")
          .containsEntry(Labels.REMOTE_LOCATION, "cvmfs://" + REPO + "/.layers/aa/base/layerfs");
      assertThat(store.list(List.of())).extracting(Snapshot::name).containsExactly("layer-1");
      List<SnapshotMount> m = store.prepare("c", "layer-1", Map.of());
      assertThat(m.get(0).options())
          .contains("lowerdir=" + cvmfs.resolve(REPO).resolve(".layers/aa/base/layerfs"));
      // asked again (containerd retries with the target present): AlreadyExists, nothing looked up
      asked.clear();
      assertThatThrownBy(() -> store.prepare("extract-2", "", labels("sha256:found")))
          .extracting(e -> ((SnapshotException) e).reason())
          .isEqualTo(SnapshotException.Reason.ALREADY_EXISTS);
      assertThat(asked).isEmpty();
    }

    @Test
    void unknownLayer_preparesAnOrdinaryActiveSnapshot() throws Exception {
      List<SnapshotMount> m = store.prepare("extract-1", "", labels("sha256:other"));
      assertThat(asked).containsExactly("sha256:other");
      assertThat(m.get(0).type()).isEqualTo("bind");
      assertThat(store.stat("extract-1").kind()).isEqualTo(Kind.ACTIVE);
    }

    @Test
    void lookupFailure_fallsBackToDownload() throws Exception {
      remote =
          digest -> {
            throw new IOException("repository down");
          };
      store.prepare("extract-1", "", labels("sha256:found"));
      assertThat(store.stat("extract-1").kind()).isEqualTo(Kind.ACTIVE);
    }

    @Test
    void unreachableRepository_fallsBackToDownload_andLeavesNoRemoteSnapshot() throws Exception {
      remote = digest -> Optional.of(new CvmfsUrl("down.example.org", "x/layerfs"));
      store.prepare("extract-1", "", labels("sha256:found"));
      assertThat(store.list(List.of())).extracting(Snapshot::name).containsExactly("extract-1");
    }
  }

  interface ThrowingCall {
    void run() throws Exception;
  }
}
