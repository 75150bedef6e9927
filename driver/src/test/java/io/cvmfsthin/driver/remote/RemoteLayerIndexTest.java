package io.cvmfsthin.driver.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.thinimage.thin.CvmfsUrl;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The index's decision over fake catalogs: completeness, order, repositories that are down. */
class RemoteLayerIndexTest {
  static final String HEX = "0123456789abcdef".repeat(4);
  static final String DIGEST = "sha256:" + HEX;
  static final String LAYER = "/.layers/01/" + HEX;

  /** Repository → path → kind; repositories in {@code down} throw. */
  static final class FakeCatalogs implements RepositoryCatalogs {
    final Map<String, Map<String, EntryKind>> entries = new HashMap<>();
    final Set<String> down = new HashSet<>();
    boolean closed;

    FakeCatalogs complete(String fqrn) {
      put(fqrn, LAYER + "/layerfs", EntryKind.DIRECTORY);
      put(fqrn, LAYER + "/.metadata/layers.json", EntryKind.REGULAR);
      return this;
    }

    FakeCatalogs put(String fqrn, String path, EntryKind kind) {
      entries.computeIfAbsent(fqrn, k -> new HashMap<>()).put(path, kind);
      return this;
    }

    @Override
    public Optional<EntryKind> kind(String fqrn, String path) throws IOException {
      if (down.contains(fqrn)) {
        throw new IOException("repository " + fqrn + " unavailable: connection refused");
      }
      return Optional.ofNullable(entries.getOrDefault(fqrn, Map.of()).get(path));
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void find_completeLayer_isItsLayerfsUrl() throws IOException {
    FakeCatalogs catalogs = new FakeCatalogs().complete("unpacked.example.org");
    try (RemoteLayerIndex index = new RemoteLayerIndex(List.of("unpacked.example.org"), catalogs)) {
      assertThat(index.find(DIGEST))
          .hasValue(CvmfsUrl.parse("cvmfs://unpacked.example.org/.layers/01/" + HEX + "/layerfs"));
    }
    assertThat(catalogs.closed).as("the index closes its catalogs").isTrue();
  }

  @Test
  void find_inNoRepository_isEmpty() throws IOException {
    FakeCatalogs catalogs = new FakeCatalogs().complete("other.example.org");
    RemoteLayerIndex index =
        new RemoteLayerIndex(List.of("a.example.org", "b.example.org"), catalogs);
    assertThat(index.find(DIGEST)).isEmpty();
  }

  @Test
  void find_withNoRepositoryConfigured_isEmpty() throws IOException {
    assertThat(new RemoteLayerIndex(List.of(), new FakeCatalogs()).find(DIGEST)).isEmpty();
  }

  @Test
  void find_layerfsWithoutCompletenessMarker_isNotUsed() throws IOException {
    FakeCatalogs catalogs =
        new FakeCatalogs().put("a.example.org", LAYER + "/layerfs", EntryKind.DIRECTORY);
    assertThat(new RemoteLayerIndex(List.of("a.example.org"), catalogs).find(DIGEST)).isEmpty();
  }

  @Test
  void find_markerButLayerfsNoDirectory_isNotUsed() throws IOException {
    FakeCatalogs catalogs =
        new FakeCatalogs()
            .put("a.example.org", LAYER + "/.metadata/layers.json", EntryKind.REGULAR)
            .put("a.example.org", LAYER + "/layerfs", EntryKind.SYMLINK);
    assertThat(new RemoteLayerIndex(List.of("a.example.org"), catalogs).find(DIGEST)).isEmpty();
  }

  @Test
  void find_severalHolding_theFirstConfiguredWins() throws IOException {
    FakeCatalogs catalogs = new FakeCatalogs().complete("b.example.org").complete("a.example.org");
    RemoteLayerIndex index =
        new RemoteLayerIndex(List.of("b.example.org", "a.example.org"), catalogs);
    assertThat(index.find(DIGEST)).map(CvmfsUrl::fqrn).hasValue("b.example.org");
  }

  @Test
  void find_oneDownAnotherHolding_returnsTheHolder() throws IOException {
    FakeCatalogs catalogs = new FakeCatalogs().complete("b.example.org");
    catalogs.down.add("a.example.org");
    RemoteLayerIndex index =
        new RemoteLayerIndex(List.of("a.example.org", "b.example.org"), catalogs);
    assertThat(index.find(DIGEST)).map(CvmfsUrl::fqrn).hasValue("b.example.org");
  }

  @Test
  void find_downAndAbsentElsewhere_throwsNamingTheSilentRepositories() {
    FakeCatalogs catalogs = new FakeCatalogs().complete("other.example.org");
    catalogs.down.add("a.example.org");
    catalogs.down.add("c.example.org");
    RemoteLayerIndex index =
        new RemoteLayerIndex(List.of("a.example.org", "b.example.org", "c.example.org"), catalogs);
    assertThatThrownBy(() -> index.find(DIGEST))
        .isInstanceOf(RepositoryUnavailableException.class)
        .hasMessageContaining(DIGEST)
        .hasMessageContaining("a.example.org, c.example.org")
        .hasMessageContaining("connection refused")
        .satisfies(
            e ->
                assertThat(((RepositoryUnavailableException) e).repositories())
                    .containsExactly("a.example.org", "c.example.org"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
        "sha256:0123",
        "sha256:../../etc/passwd/0123456789abcdef0123456789abcdef0123456789ab"
      })
  void find_malformedDigest_isRejectedBeforeAnyLookup(String digest) {
    FakeCatalogs catalogs = new FakeCatalogs();
    catalogs.down.add("a.example.org"); // a lookup would throw IOException instead
    RemoteLayerIndex index = new RemoteLayerIndex(List.of("a.example.org"), catalogs);
    assertThatThrownBy(() -> index.find(digest))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("layer digest: digest");
  }

  @Test
  void parseRepositories_trimsAndDropsDuplicates() {
    assertThat(RemoteLayerIndex.parseRepositories(" a.example.org,b.example.org , a.example.org"))
        .containsExactly("a.example.org", "b.example.org");
    assertThat(RemoteLayerIndex.parseRepositories(null)).isEmpty();
    assertThat(RemoteLayerIndex.parseRepositories("  ")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"a.example.org,,b.example.org", "localhost", "Upper.example.org", "a.b/c"})
  void parseRepositories_badName_isRejectedNamingTheSetting(String value) {
    assertThatThrownBy(() -> RemoteLayerIndex.parseRepositories(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("CVMFS_LAYER_REPOSITORIES");
  }

  @Test
  void constructor_badName_isRejected() {
    assertThatThrownBy(() -> new RemoteLayerIndex(List.of("nodot"), new FakeCatalogs()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodot");
  }
}
