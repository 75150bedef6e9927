package io.cvmfsthin.thinimage.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.thinimage.image.ContainerConfig;
import io.cvmfsthin.thinimage.image.ImageConfig;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.thin.ThinLayer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class ThinImageBuilderTest {
  private static final Digest LAYER = Digest.of("layer".getBytes(StandardCharsets.UTF_8));
  private static final Digest MANIFEST = Digest.of("manifest".getBytes(StandardCharsets.UTF_8));

  private static ImageConfig config(List<String> env) {
    ContainerConfig c =
        new ContainerConfig(
            "app",
            null,
            env,
            List.of("/e"),
            List.of("a b"),
            null,
            "/w",
            new TreeMap<>(Map.of("x", "y")),
            null,
            null,
            null,
            null,
            null);
    return new ImageConfig("2024-05-06T07:08:09.5Z", "linux", "arm64", "v8", c, List.of(LAYER));
  }

  private static List<ThinLayer> layers() {
    return List.of(new ThinLayer(LAYER.hex(), LayerLayout.url("u.example.org", LAYER)));
  }

  @Test
  void build_isDeterministic() {
    var a =
        ThinImageBuilder.build(config(List.of("A=1")), MANIFEST, "https://r/x:1", layers(), false);
    var b =
        ThinImageBuilder.build(config(List.of("A=1")), MANIFEST, "https://r/x:1", layers(), false);
    assertThat(a.manifest()).isEqualTo(b.manifest());
    assertThat(a.layerBlob()).isEqualTo(b.layerBlob());
    assertThat(a.manifestDigest()).isEqualTo(b.manifestDigest());
    assertThat(a.manifestMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(
            ThinImageBuilder.build(config(List.of("A=1")), MANIFEST, "o", layers(), true)
                .manifestMediaType())
        .isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void layer_isOneThinJsonEntry_0644_root_mtimeFromCreated() throws Exception {
    var t = ThinImageBuilder.build(config(null), MANIFEST, "o", layers(), false);
    assertThat(t.layerBlob()[3]).isZero(); // gzip FLG: no name, no comment
    assertThat(t.layerBlob()[4] | t.layerBlob()[5] | t.layerBlob()[6] | t.layerBlob()[7])
        .isZero(); // gzip MTIME 0
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(t.layerBlob())))) {
      TarArchiveEntry e = tar.getNextEntry();
      assertThat(e.getName()).isEqualTo("thin.json");
      assertThat(e.getMode() & 07777).isEqualTo(0644);
      assertThat(e.getLongUserId()).isZero();
      assertThat(e.getUserName()).isEmpty();
      assertThat(e.getModTime().getTime() / 1000).isEqualTo(1714979289L);
      assertThat(e.getExtraPaxHeaders()).isEmpty();
      assertThat(tar.readAllBytes()).isEqualTo(t.thinJson());
      assertThat(tar.getNextEntry()).isNull();
    }
    assertThat(t.layerTar()).hasSize(512 * 4); // header, one data block, two end blocks
  }

  @Test
  void config_carriesRuntimeAndAddsMarkerAndLabels() {
    var t = ThinImageBuilder.build(config(null), MANIFEST, "https://r/x:1", layers(), false);
    String c = new String(t.config(), StandardCharsets.UTF_8);
    assertThat(c)
        .contains("\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\"")
        .contains("\"Env\":[\"CVMFS_IMAGE=true\"]")
        .contains("\"Cmd\":[\"a b\"]")
        .contains("\"org.cernvm.thin.origin\":\"https://r/x:1\"")
        .contains("\"org.cernvm.thin.source-digest\":\"" + MANIFEST + "\"")
        .contains("\"x\":\"y\"")
        .contains("\"diff_ids\":[\"" + Digest.of(t.layerTar()) + "\"]");
    var existing =
        ThinImageBuilder.build(
            config(List.of("CVMFS_IMAGE=false")), MANIFEST, "o", layers(), false);
    assertThat(new String(existing.config(), StandardCharsets.UTF_8))
        .contains("\"Env\":[\"CVMFS_IMAGE=false\"]");
  }

  @Test
  void names_followDucc() {
    ImageReference src = ImageReference.parse("ubuntu:22.04");
    assertThat(TargetNames.defaultTarget(src).toString())
        .isEqualTo("docker.io/library/ubuntu_thin:22.04");
    assertThat(TargetNames.origin(src, "https"))
        .isEqualTo("https://registry.hub.docker.com/library/ubuntu:22.04");
    assertThat(LayerLayout.layerFs(LAYER))
        .isEqualTo("/.layers/" + LAYER.fanOut() + "/" + LAYER.hex() + "/layerfs");
    assertThat(LayerLayout.imageMetadataDir(ImageReference.parse("127.0.0.1:5000/a/b:1")))
        .isEqualTo("/.metadata/127.0.0.1:5000/a/b:1");
  }

  @Test
  void origin_isMergedSortedAndReadBack() {
    Digest a = Digest.of(new byte[] {1});
    Digest b = Digest.of(new byte[] {2});
    byte[] json = LayerMetadata.originJson(List.of(b, a, b));
    assertThat(LayerMetadata.parseOrigin(json)).containsExactlyInAnyOrder(a, b);
    assertThat(LayerMetadata.parseOrigin("garbage".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }
}
