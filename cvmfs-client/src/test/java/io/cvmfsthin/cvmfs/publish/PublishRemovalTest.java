package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Publication#removal}: a subtree with its nested catalogs goes, counters stay right. */
class PublishRemovalTest {
  static final String FQRN = "removal.example.org";

  @Test
  void removal_dropsTheSubtreeAndItsNestedCatalogs_inOneRevision(@TempDir Path dir)
      throws Exception {
    Path storage = dir.resolve("srv");
    Path keys = dir.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    for (String layer : new String[] {"abc", "abd"}) {
      p.publish(
          Publication.tar(
                  "/.layers/ab/" + layer + "/layerfs",
                  new TestRepos.Tar().file("etc/" + layer, layer).dir("usr/lib", 0755).stream())
              .withNestedCatalog(true));
      p.publish(
          Publication.tar(
              "/.layers/ab/" + layer + "/.metadata",
              new TestRepos.Tar().file("layers.json", "[]").stream()));
    }
    PublishResult removed =
        p.transaction(
            t -> {
              assertThat(t.apply(Publication.removal("/.layers/ab/abc"))).isTrue();
              assertThat(t.exists("/.layers/ab/abc")).isFalse();
              assertThat(t.apply(Publication.removal("/.layers/ab/none"))).isFalse();
            });
    assertThat(removed.changed()).isTrue();
    assertThat(removed.revision()).isEqualTo(5);

    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN); // counters, links
    assertThat(r.entries).doesNotContainKey("/.layers/ab/abc").containsKey("/.layers/ab/abd");
    assertThat(r.entries.keySet()).noneMatch(k -> k.startsWith("/.layers/ab/abc/"));
    assertThat(r.catalogs)
        .doesNotContainKey("/.layers/ab/abc/layerfs")
        .containsKey("/.layers/ab/abd/layerfs");
    assertThat(r.entries.get("/.layers/ab").linkCount()).isEqualTo(3);

    // a removal of what is not there makes no revision
    assertThat(p.publish(Publication.removal("/.layers/ab/abc")).changed()).isFalse();
    // a nested catalog's mountpoint itself can go
    p.publish(Publication.removal("/.layers/ab/abd/layerfs"));
    RepositoryInspector after = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(after.catalogs).doesNotContainKey("/.layers/ab/abd/layerfs");
    assertThat(after.entries).containsKey("/.layers/ab/abd/.metadata/layers.json");
  }

  @Test
  void removalOfTheRoot_isRefused() {
    assertThatThrownBy(() -> Publication.removal("/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("root");
  }
}
