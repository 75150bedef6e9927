package io.cvmfsthin.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.tar.TarFormatException;
import io.cvmfsthin.driver.archive.TestTar;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.overlay.OverlayMount;
import io.cvmfsthin.thinimage.thin.ThinDescriptorException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's decisions with an in-memory host edge ({@link MemoryHost}): no root, no overlay, no
 * FUSE. Mounts are entries in the fake's table; the layer store is real files under a temp dir.
 */
class GraphDriverTest {
  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);
  static final String C = "c".repeat(64);
  static final String T = "1".repeat(64);
  static final String REPO = "layers.example.org";
  static final String BASE = ".layers/aa/" + "e".repeat(64) + "/layerfs";

  @TempDir Path tmp;
  Path home;
  final MemoryHost fake = new MemoryHost();
  DirectoryRepositories repositories;

  @BeforeEach
  void setUp() throws IOException {
    home = tmp.resolve("home");
    Path repos = tmp.resolve("repos");
    Files.createDirectories(repos.resolve(REPO).resolve(BASE).resolve("bin"));
    Files.writeString(repos.resolve(REPO).resolve(BASE).resolve("bin/sh"), "sh");
    repositories = new DirectoryRepositories(repos);
  }

  GraphDriver driver() throws IOException {
    GraphDriver d =
        new GraphDriver(fake.host(), repositories, CommitPublisher.NONE, Duration.ofSeconds(1));
    d.init(home, List.of());
    return d;
  }

  /** A layer without parent holding one file, and {@code child} above it. */
  GraphDriver twoLayers(String child) throws IOException {
    GraphDriver d = driver();
    d.create(CreateRequest.of(A, ""));
    d.applyDiff(A, "", new TestTar().file("etc/os-release", "test").stream());
    d.createReadWrite(CreateRequest.of(child, A));
    return d;
  }

  static String thinJson(String url) {
    return "{\"version\":\"1.0\",\"layers\":[{\"digest\":\""
        + "e".repeat(64)
        + "\",\"url\":\""
        + url
        + "\"}]}";
  }

  @Nested
  class Init {
    @Test
    void homeOnOverlay_isRefused_namingHomeAndFileSystem() {
      fake.kernel.fileSystemType = "overlay";
      GraphDriver d =
          new GraphDriver(fake.host(), repositories, CommitPublisher.NONE, Duration.ZERO);
      assertThatThrownBy(() -> d.init(home, List.of()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("home " + home)
          .hasMessageContaining("is on overlay, which overlay2 does not support");
    }

    @Test
    void kernelWithoutOverlay_isRefused() {
      fake.kernel.overlay = false;
      GraphDriver d =
          new GraphDriver(fake.host(), repositories, CommitPublisher.NONE, Duration.ZERO);
      assertThatThrownBy(() -> d.init(home, List.of()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the kernel does not support overlay");
    }

    @Test
    void unknownOverlay2Option_isRefused_butKernelCheckOverrideIsAccepted() throws IOException {
      GraphDriver d =
          new GraphDriver(fake.host(), repositories, CommitPublisher.NONE, Duration.ZERO);
      assertThatThrownBy(() -> d.init(home, List.of("overlay2.size=10G")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("overlay2.size=10G");
      d.init(home, List.of("overlay2.override_kernel_check=true", "cvmfs.other=1"));
      assertThat(d.home()).isEqualTo(home);
    }

    @Test
    void callsBeforeInit_fail() {
      GraphDriver d =
          new GraphDriver(fake.host(), repositories, CommitPublisher.NONE, Duration.ZERO);
      assertThatThrownBy(() -> d.get(A, ""))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no Init");
    }

    @Test
    void status_namesBackingFileSystemAsOverlay2Does() throws IOException {
      assertThat(driver().status()).containsEntry("Backing Filesystem", "extfs");
      fake.kernel.fileSystemType = "xfs";
      assertThat(driver().status()).containsEntry("Backing Filesystem", "xfs");
    }
  }

  @Nested
  class CreateAndRemove {
    @Test
    void create_withUnknownParent_isLayerNotFound_andLeavesNothing() throws IOException {
      GraphDriver d = driver();
      assertThatThrownBy(() -> d.create(CreateRequest.of(B, A)))
          .isInstanceOf(LayerNotFoundException.class)
          .hasMessageContaining(A);
      assertThat(d.exists(B)).isFalse();
    }

    @Test
    void create_withSizeOption_isRefusedAsOverlay2Does() throws IOException {
      GraphDriver d = driver();
      assertThatThrownBy(() -> d.create(new CreateRequest(A, "", "", Map.of("size", "1G"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pquota");
      assertThat(d.exists(A)).isFalse();
    }

    @Test
    void create_twice_isRefused_andBadIdsAreRefused() throws IOException {
      GraphDriver d = driver();
      d.create(CreateRequest.of(A, ""));
      assertThatThrownBy(() -> d.create(CreateRequest.of(A, "")))
          .isInstanceOf(FileAlreadyExistsException.class);
      assertThatThrownBy(() -> d.create(CreateRequest.of("../x", "")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"../x\" is not a valid id");
      assertThat(d.exists("../x")).isFalse();
    }

    @Test
    void remove_unknownLayer_isFine_andRemoveForgetsTheLayer() throws IOException {
      GraphDriver d = twoLayers(B);
      d.remove(C);
      d.remove(B);
      assertThat(d.exists(B)).isFalse();
      assertThat(home.resolve(B)).doesNotExist();
      assertThat(d.exists(A)).isTrue();
    }

    @Test
    void remove_mountedLayer_unmountsFirst() throws IOException {
      GraphDriver d = twoLayers(B);
      Path merged = d.get(B, "");
      d.remove(B);
      assertThat(fake.mounter.unmounts).containsExactly(merged);
      assertThat(fake.mounter.mountInfo().entries()).isEmpty();
      assertThat(d.exists(B)).isFalse();
    }

    @Test
    void getMetadata_namesOverlay2Dirs_withLowersResolved() throws IOException {
      GraphDriver d = twoLayers(B);
      Map<String, String> m = d.getMetadata(B);
      assertThat(m)
          .containsEntry("UpperDir", home.resolve(B + "/diff").toString())
          .containsEntry("WorkDir", home.resolve(B + "/work").toString())
          .containsEntry("MergedDir", home.resolve(B + "/merged").toString())
          .containsEntry("LowerDir", home.resolve(A + "/diff").toString());
      assertThat(d.getMetadata(A)).doesNotContainKey("LowerDir");
      assertThatThrownBy(() -> d.getMetadata(C)).isInstanceOf(LayerNotFoundException.class);
    }
  }

  @Nested
  class GetAndPut {
    @Test
    void get_layerWithoutParent_isItsDiffDir_andMountsNothing() throws IOException {
      GraphDriver d = twoLayers(B);
      assertThat(d.get(A, "")).isEqualTo(home.resolve(A + "/diff"));
      d.put(A);
      assertThat(fake.mounter.mounts).isEmpty();
    }

    @Test
    void get_mountsOnce_andTheLastPutUnmounts() throws IOException {
      GraphDriver d = twoLayers(B);
      Path merged = d.get(B, "");
      assertThat(d.get(B, "")).isEqualTo(merged).isEqualTo(home.resolve(B + "/merged"));
      assertThat(fake.mounter.mounts).hasSize(1);
      d.put(B);
      assertThat(fake.mounter.isMounted(merged)).as("one reference left").isTrue();
      d.put(B);
      assertThat(fake.mounter.isMounted(merged)).isFalse();
      assertThat(merged).doesNotExist();
      d.put(B); // a put too many does nothing
      assertThat(fake.mounter.unmounts).hasSize(1);
    }

    @Test
    void get_mountsTheParentsLinkBelowItsOwnDiff() throws IOException {
      GraphDriver d = twoLayers(B);
      String link = Files.readString(home.resolve(A + "/link"));
      d.get(B, "");
      OverlayMount mount = fake.mounter.mounts.get(0);
      assertThat(mount.options())
          .isEqualTo("lowerdir=l/" + link + ",upperdir=" + B + "/diff,workdir=" + B + "/work");
      assertThat(mount.home()).isEqualTo(home);
    }

    @Test
    void get_withOverlayIndexAndLabel_addsIndexOffAndContext() throws IOException {
      fake.kernel.overlayIndex = true;
      GraphDriver d = twoLayers(B);
      d.get(B, "system_u:object_r:container_file_t:s0");
      assertThat(fake.mounter.mounts.get(0).options())
          .startsWith("index=off,lowerdir=")
          .endsWith(",context=\"system_u:object_r:container_file_t:s0\"");
    }

    @Test
    void get_ofALayerWithChildren_mountsItReadOnly() throws IOException {
      GraphDriver d = twoLayers(B);
      d.create(CreateRequest.of(C, B)); // B is now committed: its diff is a lower of C
      d.get(B, "");
      OverlayMount mount = fake.mounter.mounts.get(0);
      assertThat(mount.upperDir()).isNull();
      assertThat(mount.lowerDirs())
          .containsExactly(
              "l/" + Files.readString(home.resolve(B + "/link")),
              "l/" + Files.readString(home.resolve(A + "/link")));
    }

    @Test
    void get_unknownLayer_isLayerNotFound() throws IOException {
      GraphDriver d = driver();
      assertThatThrownBy(() -> d.get(C, "")).isInstanceOf(LayerNotFoundException.class);
    }

    @Test
    void failedMount_leavesNoCountAndNoMergedDir_andTheNextGetMounts() throws IOException {
      GraphDriver d = twoLayers(B);
      fake.mounter.failNextMount = new IOException("mount overlay: Invalid argument");
      assertThatThrownBy(() -> d.get(B, "")).hasMessageContaining("Invalid argument");
      assertThat(home.resolve(B + "/merged")).doesNotExist();
      d.put(B); // nothing to drop
      assertThat(fake.mounter.unmounts).isEmpty();
      Path merged = d.get(B, "");
      assertThat(fake.mounter.isMounted(merged)).isTrue();
    }

    @Test
    void cleanup_unmountsEveryLayer_andKeepsTheData() throws IOException {
      GraphDriver d = twoLayers(B);
      d.createReadWrite(CreateRequest.of(C, A));
      d.get(B, "");
      d.get(C, "");
      d.cleanup();
      assertThat(fake.mounter.mountInfo().entries()).isEmpty();
      assertThat(d.exists(B)).isTrue();
      assertThat(d.exists(C)).isTrue();
    }

    @Test
    void restart_recoversCountsFromTheStoreAndTheMountTable() throws IOException {
      GraphDriver before = twoLayers(B);
      Path merged = before.get(B, "");
      before.get(B, "");
      GraphDriver after = driver(); // a new process: the mount is still in the table
      after.put(B);
      assertThat(fake.mounter.isMounted(merged)).as("count 2 was recovered").isTrue();
      after.put(B);
      assertThat(fake.mounter.isMounted(merged)).isFalse();
    }

    @Test
    void restart_dropsACountWhoseMountIsGone() throws IOException {
      GraphDriver before = twoLayers(B);
      Path merged = before.get(B, "");
      fake.mounter.unmount(merged); // gone behind the driver's back (reboot)
      GraphDriver after = driver();
      assertThat(merged).doesNotExist();
      Path again = after.get(B, "");
      assertThat(fake.mounter.mounts).hasSize(2);
      after.put(B);
      assertThat(fake.mounter.isMounted(again)).isFalse();
    }
  }

  @Nested
  class ApplyDiff {
    @Test
    void applyDiff_extractsThroughTheHostEdge_andReturnsTheSize() throws IOException {
      GraphDriver d = driver();
      d.create(CreateRequest.of(A, ""));
      long size =
          d.applyDiff(
              A,
              "",
              new TestTar().file("etc/hosts", "12345").charDevice("dev/null", 1, 3).stream());
      Path diff = home.resolve(A + "/diff");
      assertThat(diff.resolve("etc/hosts")).hasContent("12345");
      assertThat(diff.resolve("dev/null")).exists();
      // extracted beside diff, then moved into place: the fakes saw the partial paths
      assertThat(fake.deviceNodes.nodes).hasSize(1).containsValue("c 1,3");
      assertThat(fake.fileMetadata.owners.keySet())
          .anyMatch(p -> p.endsWith("etc/hosts") && p.startsWith(home.resolve(A)));
      assertThat(size).isEqualTo(5);
    }

    @Test
    void hostileTar_isRefusedNamingLayerAndEntry_andTheLayerStaysEmpty() throws IOException {
      GraphDriver d = driver();
      d.create(CreateRequest.of(A, ""));
      assertThatThrownBy(
              () ->
                  d.applyDiff(
                      A, "", new TestTar().symlink("s", "/etc").file("s/evil", "x").stream()))
          .isInstanceOf(TarFormatException.class)
          .hasMessageContaining("layer " + A)
          .hasMessageContaining("writes through symlink s");
      try (Stream<Path> s = Files.list(home.resolve(A))) {
        assertThat(s.map(p -> p.getFileName().toString())).doesNotContain("s");
      }
      try (Stream<Path> s = Files.list(home.resolve(A + "/diff"))) {
        assertThat(s).isEmpty();
      }
    }

    @Test
    void applyDiff_toUnknownLayer_isLayerNotFound() throws IOException {
      GraphDriver d = driver();
      assertThatThrownBy(() -> d.applyDiff(A, "", new TestTar().file("x", "1").stream()))
          .isInstanceOf(LayerNotFoundException.class);
    }
  }

  @Nested
  class ThinImages {
    GraphDriver thinImage() throws IOException {
      GraphDriver d = driver();
      d.create(CreateRequest.of(T, ""));
      d.applyDiff(
          T,
          "",
          new TestTar().file("thin.json", thinJson("cvmfs://" + REPO + "/" + BASE)).stream());
      d.createReadWrite(CreateRequest.of(B, T));
      return d;
    }

    @Test
    void thinLayer_getIsItsDiffDir_andAChildMountsTheRepositoryLayer() throws IOException {
      GraphDriver d = thinImage();
      assertThat(d.get(T, "")).isEqualTo(home.resolve(T + "/diff"));
      Path merged = d.get(B, "");
      assertThat(repositories.references(REPO)).isEqualTo(1);
      OverlayMount mount = fake.mounter.at(merged);
      assertThat(mount.lowerDirs()).hasSize(1);
      Path lower = home.resolve(mount.lowerDirs().get(0));
      assertThat(lower.resolve("bin/sh")).hasContent("sh");
      assertThat(repositories.imageEvents).extracting(e -> e.layerId()).containsExactly(B);
      d.put(B);
      assertThat(repositories.references(REPO)).isZero();
      assertThat(repositories.imageEvents).hasSize(2);
    }

    @Test
    void missingRepositoryLayer_failsTheGet_namingItsPath_andReleasesTheRepository()
        throws IOException {
      GraphDriver d = driver();
      d.create(CreateRequest.of(T, ""));
      d.applyDiff(
          T, "", new TestTar().file("thin.json", thinJson("cvmfs://" + REPO + "/gone")).stream());
      d.createReadWrite(CreateRequest.of(B, T));
      assertThatThrownBy(() -> d.get(B, ""))
          .isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining("repository " + REPO + " has no layer directory gone");
      assertThat(repositories.acquisitions).isEqualTo(1);
      assertThat(repositories.references(REPO)).isZero();
      assertThat(fake.mounter.mounts).isEmpty();
      assertThat(home.resolve(B + "/merged")).doesNotExist();
    }

    @Test
    void unconfiguredRepository_isRefusedAtApplyDiff_andTheLayerStaysOrdinaryAndEmpty()
        throws IOException {
      GraphDriver d = driver();
      d.create(CreateRequest.of(T, ""));
      assertThatThrownBy(
              () ->
                  d.applyDiff(
                      T,
                      "",
                      new TestTar()
                          .file("thin.json", thinJson("cvmfs://other.example.org/x")).stream()))
          .isInstanceOf(ThinDescriptorException.class)
          .hasMessageContaining("repository other.example.org (layer path x) is not configured");
      assertThat(home.resolve(T + "/thin")).doesNotExist();
      try (Stream<Path> s = Files.list(home.resolve(T + "/diff"))) {
        assertThat(s).isEmpty();
      }
    }

    @Test
    void changesOfAChildOfAThinLayer_holdTheRepositoryOnlyWhileComparing() throws IOException {
      GraphDriver d = thinImage();
      Files.writeString(home.resolve(B + "/diff/new"), "n");
      assertThat(d.changes(B, T)).containsExactly(new Change("/new", 1));
      assertThat(repositories.acquisitions).isEqualTo(1);
      assertThat(repositories.references(REPO)).isZero();
    }
  }
}
