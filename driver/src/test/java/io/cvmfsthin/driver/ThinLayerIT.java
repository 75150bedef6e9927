package io.cvmfsthin.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.linux.MountInfo;
import io.cvmfsthin.driver.archive.TestTar;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.store.LibcDeviceNodes;
import io.cvmfsthin.driver.store.LibcXattrs;
import io.cvmfsthin.thinimage.thin.ThinDescriptorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thin layers with real overlay mounts; the repository is a directory in the layer view (the FUSE
 * client is another module's; this is the one fake the driver's rules allow).
 */
@Tag("root")
class ThinLayerIT {
  static final String REPO = "unpacked.example.org";
  static final String D = "a".repeat(64);
  static final String T = "1".repeat(64);
  static final String L = "2".repeat(64);
  static final String I = "3".repeat(64) + "-init";
  static final String M = "3".repeat(64);

  @TempDir Path tmp;
  Path home;
  DirectoryRepositories repos;
  final List<GraphDriver> drivers = new ArrayList<>();

  @BeforeEach
  void repository() throws IOException {
    home = tmp.resolve("home");
    repos = new DirectoryRepositories(tmp.resolve("cvmfs"));
    Path base = tmp.resolve("cvmfs/" + REPO + "/.layers/aa/base/layerfs");
    Files.createDirectories(base.resolve("etc"));
    Files.writeString(base.resolve("etc/passwd"), "base");
    Files.writeString(base.resolve("etc/removeme"), "gone later");
    Files.createDirectories(base.resolve("d1"));
    Files.writeString(base.resolve("d1/old"), "old");
    Path top = tmp.resolve("cvmfs/" + REPO + "/.layers/bb/top/layerfs");
    Files.createDirectories(top.resolve("etc"));
    Files.writeString(top.resolve("etc/passwd"), "top");
    new LibcDeviceNodes().characterDevice(top.resolve("etc/removeme"), 0, 0, 0);
    Files.createDirectories(top.resolve("d1"));
    new LibcXattrs().set(top.resolve("d1"), "trusted.overlay.opaque", new byte[] {'y'});
    Files.writeString(top.resolve("d1/new"), "new");
  }

  @AfterEach
  void cleanup() throws IOException {
    for (GraphDriver d : drivers) {
      d.cleanup();
    }
  }

  GraphDriver driver(RepositoryMounts mounts) throws IOException {
    GraphDriver d = new GraphDriver(Host.linux(), mounts, CommitPublisher.NONE, Duration.ZERO);
    d.init(home, List.of());
    drivers.add(d);
    return d;
  }

  static String descriptor(String... paths) {
    StringBuilder layers = new StringBuilder();
    for (String p : paths) {
      layers.append(layers.length() == 0 ? "" : ",");
      layers
          .append("{\"digest\":\"")
          .append(D)
          .append("\",\"url\":\"cvmfs://")
          .append(p)
          .append("\"}");
    }
    return "{\n  \"version\": \"1.0\",\n  \"layers\": [" + layers + "]\n}";
  }

  /** A thin image T (base, top, base repeated) with an image layer L and a container I/M. */
  GraphDriver thinImageWithContainer() throws IOException {
    GraphDriver d = driver(repos);
    d.create(CreateRequest.of(T, ""));
    String json =
        descriptor(
            REPO + "/.layers/aa/base/layerfs",
            REPO + "/.layers/bb/top/layerfs",
            REPO + "/.layers/aa/base/layerfs");
    long size = d.applyDiff(T, "", new TestTar().file("thin.json", json).stream());
    assertThat(size).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
    d.create(CreateRequest.of(L, T));
    d.applyDiff(L, T, new TestTar().dir("app", 0755).file("app/run", "run").stream());
    d.createReadWrite(CreateRequest.of(I, L));
    d.createReadWrite(CreateRequest.of(M, I));
    return d;
  }

  static boolean mounted(Path p) throws IOException {
    return MountInfo.parse(Files.readString(Path.of("/proc/self/mountinfo"))).isMountPoint(p);
  }

  @Test
  void container_onThinImage_seesTheCvmfsLayersStacked() throws Exception {
    GraphDriver d = thinImageWithContainer();
    // get of the thin layer itself: its own diff, thin.json byte for byte, nothing mounted
    assertThat(d.get(T, "")).isEqualTo(home.resolve(T + "/diff"));
    assertThat(repos.acquisitions).isZero();

    Path root = d.get(M, "");
    assertThat(repos.references(REPO)).isEqualTo(1);
    // the container's start is announced once, keyed by the real layers bottom first
    assertThat(repos.imageEvents).hasSize(1);
    DirectoryRepositories.ImageEvent started = repos.imageEvents.get(0);
    assertThat(started.layerId()).isEqualTo(M);
    assertThat(started.bottomFirst().stream().map(l -> l.repositoryPath()))
        .containsExactly("/.layers/bb/top/layerfs", "/.layers/aa/base/layerfs");
    assertThat(started.chainKey())
        .isEqualTo(io.cvmfsthin.cvmfs.prefetch.ChainKey.of(started.bottomFirst()));
    // base repeated after top: collapsed to its top-most occurrence, so base is on top
    assertThat(root.resolve("etc/passwd")).hasContent("base");
    assertThat(root.resolve("app/run")).hasContent("run");
    assertThat(root.resolve("thin.json")).doesNotExist();
    Files.writeString(root.resolve("written"), "w");
    assertThat(home.resolve(M + "/diff/written")).hasContent("w");

    assertThat(Files.readString(home.resolve(M + "/lower")).split(":")).hasSize(1 + 1 + 2);
    assertThat(d.getMetadata(M).get("LowerDir"))
        .endsWith(tmp.resolve("cvmfs/" + REPO + "/.layers/bb/top/layerfs").toString());

    d.get(M, "");
    d.put(M);
    assertThat(repos.references(REPO)).isEqualTo(1);
    assertThat(repos.imageEvents).hasSize(1);
    d.put(M);
    assertThat(mounted(root)).isFalse();
    assertThat(repos.references(REPO)).isZero();
    assertThat(repos.acquisitions).isEqualTo(repos.releases);
    assertThat(repos.imageEvents).hasSize(2);
    assertThat(repos.imageEvents.get(1))
        .isEqualTo(new DirectoryRepositories.ImageEvent(M, null, List.of()));
  }

  @Test
  void descriptorOrder_isBottomFirst_whiteoutsAndOpaqueDirsOfCvmfsLayersWork() throws Exception {
    GraphDriver d = driver(repos);
    d.create(CreateRequest.of(T, ""));
    d.applyDiff(
        T,
        "",
        new TestTar()
                .file(
                    "thin.json",
                    descriptor(REPO + "/.layers/aa/base/layerfs", REPO + "/.layers/bb/top/layerfs"))
                .stream());
    d.createReadWrite(CreateRequest.of(M, T));
    Path root = d.get(M, "");
    assertThat(root.resolve("etc/passwd")).hasContent("top");
    assertThat(root.resolve("etc/removeme")).doesNotExist();
    assertThat(Files.list(root.resolve("d1")).map(p -> p.getFileName().toString()))
        .containsExactly("new");
    d.put(M);
  }

  @Test
  void thinScratch_noRealLayers_containerStacksOnItsOwnLayers() throws Exception {
    GraphDriver d = driver(repos);
    d.create(CreateRequest.of(T, ""));
    d.applyDiff(
        T, "", new TestTar().file("thin.json", "{\"version\": \"0.1\", \"layers\": []}").stream());
    d.create(CreateRequest.of(L, T));
    d.applyDiff(L, T, new TestTar().dir("app", 0755).file("app/run", "run").stream());
    assertThat(d.get(L, "")).isEqualTo(home.resolve(L + "/diff")); // nothing below it
    d.createReadWrite(CreateRequest.of(M, L));
    Path root = d.get(M, "");
    assertThat(root.resolve("app/run")).hasContent("run");
    assertThat(root.resolve("thin.json")).doesNotExist();
    d.put(M);
    d.put(L);
    assertThat(repos.acquisitions).isZero();
  }

  @Test
  void restart_recoversMountAndReacquiresRepositories() throws Exception {
    GraphDriver first = thinImageWithContainer();
    Path root = first.get(M, "");
    drivers.remove(first); // crash: no put, no cleanup
    DirectoryRepositories fresh = new DirectoryRepositories(tmp.resolve("cvmfs"));
    GraphDriver second = driver(fresh);
    assertThat(fresh.references(REPO)).isEqualTo(1);
    second.put(M);
    assertThat(mounted(root)).isFalse();
    assertThat(fresh.references(REPO)).isZero();
  }

  @Test
  void missingLayerDirectory_failsNamingRepositoryPathAndLayer_leavesNoMount() throws Exception {
    GraphDriver d = driver(repos);
    d.create(CreateRequest.of(T, ""));
    d.applyDiff(
        T,
        "",
        new TestTar().file("thin.json", descriptor(REPO + "/.layers/cc/missing/layerfs")).stream());
    d.createReadWrite(CreateRequest.of(M, T));
    assertThatThrownBy(() -> d.get(M, ""))
        .isInstanceOf(java.nio.file.NoSuchFileException.class)
        .hasMessageContaining("layer " + M)
        .hasMessageContaining("thin layer " + T)
        .hasMessageContaining(
            "repository " + REPO + " has no layer directory .layers/cc/missing/layerfs");
    assertThat(mounted(home.resolve(M + "/merged"))).isFalse();
    assertThat(home.resolve(M + "/merged")).doesNotExist();
    assertThat(repos.references(REPO)).isZero();
  }

  @Test
  void unconfiguredRepository_refusesTheLayer_leavesNothing() throws Exception {
    GraphDriver d = driver(repos);
    d.create(CreateRequest.of(T, ""));
    List<String> linksBefore = Files.list(home.resolve("l")).map(Path::toString).toList();
    assertThatThrownBy(
            () ->
                d.applyDiff(
                    T,
                    "",
                    new TestTar().file("thin.json", descriptor("other.example.org/x")).stream()))
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessageContaining("layer " + T)
        .hasMessageContaining("repository other.example.org (layer path x) is not configured");
    assertThat(Files.list(home.resolve(T + "/diff"))).isEmpty();
    assertThat(home.resolve(T + "/thin")).doesNotExist();
    assertThat(Files.list(home.resolve("l")).map(Path::toString).toList()).isEqualTo(linksBefore);
  }

  @Test
  void remove_ofThinLayer_removesItsLinks() throws Exception {
    GraphDriver d = thinImageWithContainer();
    for (String id : List.of(M, I, L, T)) {
      d.remove(id);
    }
    assertThat(Files.list(home.resolve("l"))).isEmpty();
    assertThat(repos.references(REPO)).isZero();
  }

  @Test
  void changes_ofContainerOnThinImage_useCvmfsLowers() throws Exception {
    GraphDriver d = thinImageWithContainer();
    Path root = d.get(M, "");
    Files.writeString(root.resolve("etc/passwd"), "mine");
    Files.writeString(root.resolve("added"), "a");
    d.put(M);
    assertThat(d.changes(M, I))
        .containsExactly(
            new Change("/added", Change.ADDED),
            // /etc was copied up with the lower's mode and mtime: not reported, as in overlay2
            new Change("/etc/passwd", Change.MODIFIED));
    assertThat(repos.references(REPO)).isZero();
  }
}
