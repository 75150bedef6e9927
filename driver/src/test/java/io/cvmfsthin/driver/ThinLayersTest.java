package io.cvmfsthin.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.driver.layer.ThinRecord;
import io.cvmfsthin.driver.store.LayerStore;
import io.cvmfsthin.thinimage.thin.ThinDescriptorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Thin-layer recognition and validation against configured repositories; no root, no FUSE. */
class ThinLayersTest {
  static final String D = "a".repeat(64);

  /** Only {@code isConfigured} is used here; acquire is covered by ThinLayerIT. */
  static RepositoryMounts configured(Set<String> repos) {
    return new RepositoryMounts() {
      @Override
      public boolean isConfigured(String fqrn) {
        return repos.contains(fqrn);
      }

      @Override
      public Path acquire(String fqrn) throws IOException {
        throw new IOException("not in this test");
      }

      @Override
      public void release(String fqrn) {}
    };
  }

  static String descriptor(String... urls) {
    StringBuilder layers = new StringBuilder();
    for (String url : urls) {
      layers.append(layers.length() == 0 ? "" : ",");
      layers.append("{\"digest\":\"").append(D).append("\",\"url\":\"").append(url).append("\"}");
    }
    return "{\"version\":\"1.0\",\"layers\":[" + layers + "]}";
  }

  ThinLayers thin(Path home) {
    return new ThinLayers(
        new LayerStore(home, new Random(1)), configured(Set.of("unpacked.cern.ch")), new Random(1));
  }

  @Test
  void detect_descriptor_recordsCollapsedStackTopFirst(@TempDir Path home, @TempDir Path layer)
      throws Exception {
    Files.writeString(
        layer.resolve("thin.json"),
        descriptor(
            "cvmfs://unpacked.cern.ch/.layers/aa/base/layerfs",
            "cvmfs://unpacked.cern.ch/empty",
            "cvmfs://unpacked.cern.ch/.layers/bb/top/layerfs",
            "cvmfs://unpacked.cern.ch/empty"));
    Optional<ThinRecord> record = thin(home).detect("T", layer);
    assertThat(record).isPresent();
    assertThat(record.get().layers())
        .extracting(ThinRecord.Entry::path)
        .containsExactly("empty", ".layers/bb/top/layerfs", ".layers/aa/base/layerfs");
    assertThat(record.get().layers()).allMatch(e -> e.shortId().matches("[A-Z2-7]{26}"));
  }

  @Test
  void detect_unconfiguredRepository_namesRepositoryPathAndLayer(
      @TempDir Path home, @TempDir Path layer) throws Exception {
    Files.writeString(layer.resolve("thin.json"), descriptor("cvmfs://evil.example.org/x/y"));
    assertThatThrownBy(() -> thin(home).detect("T1", layer))
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessage(
            "layer T1: thin.json: repository evil.example.org (layer path x/y) is not configured on"
                + " this host");
  }

  @Test
  void detect_unconfiguredRepository_addsWhatTheRepositoriesSayIsMissing(
      @TempDir Path home, @TempDir Path layer) throws Exception {
    Files.writeString(layer.resolve("thin.json"), descriptor("cvmfs://evil.example.org/x/y"));
    RepositoryMounts none =
        new RepositoryMounts() {
          @Override
          public boolean isConfigured(String fqrn) {
            return false;
          }

          @Override
          public String missingSettings(String fqrn) {
            return "no CVMFS_SERVER_URL for " + fqrn;
          }

          @Override
          public Path acquire(String fqrn) throws IOException {
            throw new IOException("not in this test");
          }

          @Override
          public void release(String fqrn) {}
        };
    ThinLayers thin = new ThinLayers(new LayerStore(home, new Random(1)), none, new Random(1));
    assertThatThrownBy(() -> thin.detect("T5", layer))
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessage(
            "layer T5: thin.json: repository evil.example.org (layer path x/y) is not configured on"
                + " this host: no CVMFS_SERVER_URL for evil.example.org");
  }

  @Test
  void detect_badDescriptor_namesLayerAndField(@TempDir Path home, @TempDir Path layer)
      throws Exception {
    Files.writeString(layer.resolve("thin.json"), descriptor("cvmfs://unpacked.cern.ch/a/../b"));
    assertThatThrownBy(() -> thin(home).detect("T2", layer))
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessageContaining("layer T2: thin.json: layers[0].url: segment '..' in layer path");
  }

  @Test
  void detect_thinJsonBesideOtherFiles_isAnOrdinaryLayer(@TempDir Path home, @TempDir Path layer)
      throws Exception {
    Files.writeString(layer.resolve("thin.json"), "not even json");
    Files.createDirectories(layer.resolve("etc"));
    Files.writeString(layer.resolve("etc/passwd"), "root");
    assertThat(thin(home).detect("T3", layer)).isEmpty();
  }

  @Test
  void detect_noDescriptor_isAnOrdinaryLayer(@TempDir Path home, @TempDir Path layer)
      throws Exception {
    Files.createDirectories(layer.resolve("thin.json")); // a directory, not the descriptor
    assertThat(thin(home).detect("T4", layer)).isEmpty();
  }
}
