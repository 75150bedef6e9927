package io.cvmfsthin.thinimage.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import io.cvmfsthin.thinimage.thin.ThinDescriptorWriter;
import io.cvmfsthin.thinimage.thin.ThinImage;
import io.cvmfsthin.thinimage.thin.ThinLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LayerCollection}: only unreferenced converted layers past the grace period go, in one
 * revision; a dry run changes nothing; an unreadable reference stops everything.
 */
class LayerCollectionTest {
  static final String FQRN = "layers-gc.example.org";
  static final String A = "a".repeat(64); // named by an image manifest.json
  static final String B = "b".repeat(64); // named by a published thin.json
  static final String C = "c".repeat(64); // unreferenced, old: collected
  static final String D = "d".repeat(64); // unreferenced, published recently
  static final String E = "e".repeat(64); // a committed layer: no converter metadata

  @TempDir Path tmp;
  final Instant now = Instant.now();
  final Instant old = now.minus(Duration.ofDays(30));

  Path storage() {
    return tmp.resolve("srv");
  }

  Path keys() {
    return tmp.resolve("keys");
  }

  void repository(String manifestJson) throws Exception {
    RepositoryPublisher.create(storage(), keys(), FQRN, RepositorySettings.DEFAULT, 60, at(old));
    RepositoryPublisher atOld = RepositoryPublisher.open(storage(), keys(), FQRN, at(old));
    atOld.transaction(
        t -> {
          for (String hex : List.of(A, B, C)) {
            layer(t, hex, true, old);
          }
          layer(t, E, false, old);
          t.apply(
              Publication.tar(
                  "/.metadata/registry.example/app:1",
                  tar(Map.of("manifest.json", manifestJson), old)));
          byte[] thin =
              ThinDescriptorWriter.write(
                  new ThinImage(
                      ThinImage.IMPLEMENTED_VERSION,
                      null,
                      null,
                      List.of(new ThinLayer(B, LayerLayout.url(FQRN, digest(B)))),
                      null));
          t.apply(
              Publication.tar(
                  "/images/app",
                  tar(Map.of("thin.json", new String(thin, StandardCharsets.UTF_8)), old)));
        });
    RepositoryPublisher.open(storage(), keys(), FQRN, at(now))
        .transaction(t -> layer(t, D, true, now));
  }

  static io.cvmfsthin.thinimage.reference.Digest digest(String hex) {
    return io.cvmfsthin.thinimage.reference.Digest.parse("sha256:" + hex);
  }

  static String manifestNaming(String hex) {
    return "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:"
        + "f".repeat(64)
        + "\"},\"layers\":[{\"digest\":\"sha256:"
        + hex
        + "\",\"size\":10}]}";
  }

  static void layer(RepositoryPublisher.Transaction t, String hex, boolean converted, Instant when)
      throws IOException {
    String dir = LayerLayout.layerDir(digest(hex));
    t.apply(
        Publication.tar(
                dir + "/layerfs", tar(Map.of("etc/file-" + hex.charAt(0), "x".repeat(100)), when))
            .withNestedCatalog(true));
    if (converted) {
      t.apply(Publication.tar(dir + "/.metadata", tar(Map.of("layers.json", "[]"), when)));
    }
  }

  @Test
  void dryRunThenDelete_removeOnlyTheOldUnreferencedConvertedLayer() throws Exception {
    repository(manifestNaming(A));
    long revision = RepositoryPublisher.open(storage(), keys(), FQRN).manifest().revision();

    LayerCollection.Result dry =
        LayerCollection.run(storage(), keys(), FQRN, Duration.ofDays(7), false, at(now));
    assertThat(dry.removed()).isFalse();
    assertThat(dry.revision()).isEqualTo(revision);
    assertThat(hexes(dry.plan().remove())).containsExactly(C);
    assertThat(hexes(dry.plan().referenced())).containsExactlyInAnyOrder(A, B);
    assertThat(hexes(dry.plan().young())).containsExactly(D);
    assertThat(hexes(dry.plan().notConverted())).containsExactly(E);
    assertThat(dry.plan().manifests()).isEqualTo(1);
    assertThat(dry.plan().thinDescriptors()).isEqualTo(1);
    assertThat(dry.plan().removeBytes()).isEqualTo(100 + 2); // the file and layers.json
    assertThat(exists(LayerLayout.layerDir(digest(C)))).isTrue();

    LayerCollection.Result real =
        LayerCollection.run(storage(), keys(), FQRN, Duration.ofDays(7), true, at(now));
    assertThat(real.removed()).isTrue();
    assertThat(real.revision()).isEqualTo(revision + 1);
    assertThat(hexes(real.plan().remove())).containsExactly(C);
    assertThat(exists(LayerLayout.layerDir(digest(C)))).isFalse();
    for (String kept : List.of(A, B, D, E)) {
      assertThat(exists(LayerLayout.layerFs(digest(kept)) + "/etc/file-" + kept.charAt(0)))
          .as(kept)
          .isTrue();
    }

    // nothing left to do: no new revision
    LayerCollection.Result again =
        LayerCollection.run(storage(), keys(), FQRN, Duration.ofDays(7), true, at(now));
    assertThat(again.plan().remove()).isEmpty();
    assertThat(again.removed()).isFalse();
    assertThat(again.revision()).isEqualTo(revision + 1);

    // a zero grace period takes the recent one too
    LayerCollection.Result noGrace =
        LayerCollection.run(storage(), keys(), FQRN, Duration.ZERO, false, at(now.plusSeconds(5)));
    assertThat(hexes(noGrace.plan().remove())).containsExactly(D);
  }

  @Test
  void unreadableManifest_stopsTheCollection_andRemovesNothing() throws Exception {
    repository("{\"layers\":[{\"digest\":\"not a digest\"}]}");
    long revision = RepositoryPublisher.open(storage(), keys(), FQRN).manifest().revision();
    assertThatThrownBy(
            () -> LayerCollection.run(storage(), keys(), FQRN, Duration.ofDays(7), true, at(now)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/.metadata/registry.example/app:1/manifest.json")
        .hasMessageContaining("refusing");
    assertThat(RepositoryPublisher.open(storage(), keys(), FQRN).manifest().revision())
        .isEqualTo(revision);
    assertThat(exists(LayerLayout.layerDir(digest(C)))).isTrue();
  }

  @Test
  void badInput_isRefused() {
    assertThatThrownBy(
            () ->
                LayerCollection.run(
                    storage(), keys(), "none.example.org", Duration.ofDays(1), false, at(now)))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no repository none.example.org");
    assertThatThrownBy(
            () -> LayerCollection.run(storage(), keys(), FQRN, Duration.ofDays(-1), false, at(now)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void decide_keepsReferencedYoungAndForeignLayers() {
    List<LayerCollection.Layer> layers =
        List.of(
            new LayerCollection.Layer(A, "/a", 10, 1, true),
            new LayerCollection.Layer(B, "/b", 100, 1, true),
            new LayerCollection.Layer(C, "/c", 10, 1, false),
            new LayerCollection.Layer(D, "/d", 10, 7, true));
    LayerCollection.Plan p = LayerCollection.decide(layers, Set.of(A), 50, 1, 0);
    assertThat(hexes(p.remove())).containsExactly(D);
    assertThat(hexes(p.young())).containsExactly(B);
    assertThat(hexes(p.notConverted())).containsExactly(C);
    assertThat(p.removeBytes()).isEqualTo(7);
  }

  static List<String> hexes(List<LayerCollection.Layer> layers) {
    return layers.stream().map(LayerCollection.Layer::hex).toList();
  }

  boolean exists(String path) throws IOException {
    try (RepositoryClient client =
        RepositoryClient.open(
            ClientSettings.builder(FQRN)
                .serverUrls(storage().toAbsolutePath().toUri() + "@fqrn@")
                .masterKeys(keys().resolve(FQRN + ".pub"))
                .cacheDir(java.nio.file.Files.createTempDirectory(tmp, "cache-"))
                .build())) {
      client.lookup(path);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  static InputStream tar(Map<String, String> files, Instant mtime) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setSize(content.length);
        e.setMode(0100644);
        e.setModTime(Date.from(mtime));
        out.putArchiveEntry(e);
        out.write(content);
        out.closeArchiveEntry();
      }
    }
    return new ByteArrayInputStream(bytes.toByteArray());
  }
}
