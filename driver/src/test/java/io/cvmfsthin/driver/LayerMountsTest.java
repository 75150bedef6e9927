package io.cvmfsthin.driver;

import static io.cvmfsthin.driver.GraphDriverTest.A;
import static io.cvmfsthin.driver.GraphDriverTest.B;
import static io.cvmfsthin.driver.GraphDriverTest.BASE;
import static io.cvmfsthin.driver.GraphDriverTest.C;
import static io.cvmfsthin.driver.GraphDriverTest.REPO;
import static io.cvmfsthin.driver.GraphDriverTest.T;
import static io.cvmfsthin.driver.GraphDriverTest.thinJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.driver.archive.TestTar;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.overlay.OverlayMount;
import io.cvmfsthin.driver.store.LayerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LayerMounts} on its own: which layers mount, counts across a restart, and the repositories
 * held for a layer above a thin image. Layers are made through a {@link GraphDriver} on the same
 * home; mounts go to {@link MemoryHost}'s table.
 */
class LayerMountsTest {
  @TempDir Path tmp;
  Path home;
  Path repos;
  final MemoryHost fake = new MemoryHost();
  DirectoryRepositories repositories;
  LayerStore store;

  @BeforeEach
  void layers() throws IOException {
    home = tmp.resolve("home");
    repos = tmp.resolve("repos");
    Files.createDirectories(repos.resolve(REPO).resolve(BASE));
    repositories = new DirectoryRepositories(repos);
    GraphDriver d = new GraphDriver(fake.host(), repositories, CommitPublisher.NONE, Duration.ZERO);
    d.init(home, List.of());
    d.create(CreateRequest.of(A, ""));
    d.create(CreateRequest.of(B, A));
    d.create(CreateRequest.of(T, ""));
    d.applyDiff(
        T, "", new TestTar().file("thin.json", thinJson("cvmfs://" + REPO + "/" + BASE)).stream());
    d.createReadWrite(CreateRequest.of(C, T));
    store = new LayerStore(home, new Random(1));
  }

  LayerMounts mounts() {
    return new LayerMounts(
        store, fake.mounter, new ThinLayers(store, repositories, new Random(1)), false);
  }

  @Test
  void onlyLayersWithLowerDirsMount() throws IOException {
    LayerMounts mounts = mounts();
    assertThat(mounts.unmounted(A)).as("no parent").isTrue();
    assertThat(mounts.unmounted(T)).as("thin layer").isTrue();
    assertThat(mounts.unmounted(B)).isFalse();
    assertThat(mounts.unmounted(C)).as("above a thin layer").isFalse();
  }

  @Test
  void aLayerMountedBeforeThisProcessKnewIt_isUnmountedByOnePut() throws IOException {
    Path merged = Files.createDirectories(store.mergedDir(B));
    fake.mounter.mount(new OverlayMount(home, List.of("l/X"), null, null, merged, false, null));
    LayerMounts mounts = mounts();
    mounts.put(B);
    assertThat(fake.mounter.isMounted(merged)).isFalse();
    assertThat(merged).doesNotExist();
  }

  @Test
  void recover_keepsPersistedCounts_andReacquiresTheThinAncestorsRepositories() throws IOException {
    LayerMounts first = mounts();
    Path merged = first.get(C, "");
    first.get(C, "");
    assertThat(repositories.references(REPO)).isEqualTo(1);
    LayerMounts second =
        mounts(); // the process restarted; the mount and the counts are still there
    second.recover();
    assertThat(second.mountedIds()).containsExactly(C);
    assertThat(repositories.references(REPO))
        .as("held again for the restarted process")
        .isEqualTo(2);
    second.put(C);
    assertThat(fake.mounter.isMounted(merged)).isTrue();
    second.put(C);
    assertThat(fake.mounter.isMounted(merged)).isFalse();
    assertThat(repositories.references(REPO))
        .as("the old process's reference died with it")
        .isEqualTo(1);
    assertThat(repositories.imageEvents)
        .extracting(e -> e.chainKey() == null)
        .containsExactly(false, true);
  }

  @Test
  void recover_withTheRepositoryGone_keepsTheMountCounted() throws IOException {
    LayerMounts first = mounts();
    Path merged = first.get(C, "");
    Files.move(repos.resolve(REPO), repos.resolve("moved"));
    LayerMounts second = mounts();
    second.recover();
    assertThat(second.isMounted(C)).isTrue();
    second.put(C);
    assertThat(fake.mounter.isMounted(merged)).isFalse();
  }

  @Test
  void unmount_dropsEveryReference_andReleasesTheRepositories() throws IOException {
    LayerMounts mounts = mounts();
    Path merged = mounts.get(C, "");
    mounts.get(C, "");
    mounts.unmount(C);
    assertThat(mounts.isMounted(C)).isFalse();
    assertThat(fake.mounter.isMounted(merged)).isFalse();
    assertThat(repositories.references(REPO)).isZero();
    assertThat(store.mounts(C)).isZero();
  }
}
