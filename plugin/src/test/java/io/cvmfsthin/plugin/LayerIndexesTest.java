package io.cvmfsthin.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.driver.remote.RemoteLayerIndex;
import io.cvmfsthin.driver.remote.RepositoryUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerIndexesTest {
  static final String DIGEST = "sha256:" + "ab".repeat(32);

  @TempDir Path config;
  @TempDir Path state;

  @Test
  void repositories_fromDefaultLocal() throws Exception {
    Files.writeString(
        config.resolve("default.local"),
        "CVMFS_LAYER_REPOSITORIES=unpacked.cern.ch,layers.example.org\n");
    assertThat(LayerIndexes.repositories(config, Map.of()))
        .containsExactly("unpacked.cern.ch", "layers.example.org");
  }

  @Test
  void repositories_environmentOverridesTheFiles() throws Exception {
    Files.writeString(config.resolve("default.local"), "CVMFS_LAYER_REPOSITORIES=a.example.org\n");
    assertThat(
            LayerIndexes.repositories(config, Map.of("CVMFS_LAYER_REPOSITORIES", "b.example.org")))
        .containsExactly("b.example.org");
    assertThat(LayerIndexes.repositories(config, Map.of("CVMFS_LAYER_REPOSITORIES", " ")))
        .as("an empty plugin setting leaves the files' value")
        .containsExactly("a.example.org");
  }

  @Test
  void repositories_unset_isNone() throws Exception {
    assertThat(LayerIndexes.repositories(config, Map.of())).isEmpty();
  }

  @Test
  void repositories_badName_isRejectedNamingTheSetting() throws Exception {
    Files.writeString(config.resolve("default.local"), "CVMFS_LAYER_REPOSITORIES=nodot\n");
    assertThatThrownBy(() -> LayerIndexes.repositories(config, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CVMFS_LAYER_REPOSITORIES")
        .hasMessageContaining("nodot");
  }

  @Test
  void open_explicitRepositories_replaceTheSetting() throws Exception {
    try (RemoteLayerIndex index =
        LayerIndexes.open(
            state,
            config,
            Map.of("CVMFS_LAYER_REPOSITORIES", "a.example.org"),
            java.util.List.of("b.example.org", "c.example.org"))) {
      assertThat(index.repositories()).containsExactly("b.example.org", "c.example.org");
    }
  }

  @Test
  void open_repositoryWithoutServer_isNamedWhenSearched() throws Exception {
    try (RemoteLayerIndex index =
        LayerIndexes.open(
            state, config, Map.of("CVMFS_LAYER_REPOSITORIES", "unconfigured.example.org"))) {
      assertThat(index.repositories()).containsExactly("unconfigured.example.org");
      assertThatThrownBy(() -> index.find(DIGEST))
          .isInstanceOf(RepositoryUnavailableException.class)
          .hasMessageContaining("unconfigured.example.org");
    }
  }
}
