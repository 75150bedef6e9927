package io.cvmfsthin.thinimage.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.thinimage.image.json.ImageJson;
import io.cvmfsthin.thinimage.reference.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageJsonTest {
  private static final String D1 = "sha256:" + "1".repeat(64);
  private static final String D2 = "sha256:" + "2".repeat(64);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parseDocument_dockerManifest() throws Exception {
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.DOCKER_MANIFEST
            + "\","
            + "\"config\":{\"mediaType\":\""
            + MediaTypes.DOCKER_CONFIG
            + "\",\"size\":7,"
            + "\"digest\":\""
            + D1
            + "\"},\"layers\":[{\"mediaType\":\""
            + MediaTypes.DOCKER_LAYER_GZIP
            + "\",\"size\":9,\"digest\":\""
            + D2
            + "\"}]}";
    ImageManifest m = (ImageManifest) ImageJson.parseDocument(utf8(json), null, "test");
    assertThat(m.isOci()).isFalse();
    assertThat(m.config().sizeBytes()).isEqualTo(7);
    assertThat(m.layers()).extracting(Descriptor::digest).containsExactly(Digest.parse(D2));
  }

  @Test
  void parseDocument_ociIndexWithoutMediaType_isRecognisedByShape() throws Exception {
    String json =
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\",\"size\":1,\"digest\":\""
            + D1
            + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
    ImageIndex i = (ImageIndex) ImageJson.parseDocument(utf8(json), "application/json", "idx");
    assertThat(i.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(i.manifests().get(0).platform()).isEqualTo(new Platform("linux", "arm64", "v8"));
  }

  @Test
  void parseDocument_schema1_isRejectedClearly() {
    assertThatThrownBy(
            () -> ImageJson.parseDocument(utf8("{\"schemaVersion\":1,\"fsLayers\":[]}"), null, "x"))
        .isInstanceOf(ImageFormatException.class)
        .hasMessageContaining("schema 1");
  }

  @Test
  void parseDocument_badDigest_namesTheField() {
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\","
            + "\"config\":{\"mediaType\":\"c\",\"size\":7,\"digest\":\""
            + D1
            + "\"},"
            + "\"layers\":[{\"mediaType\":\"l\",\"size\":9,\"digest\":\"md5:abc\"}]}";
    assertThatThrownBy(() -> ImageJson.parseDocument(utf8(json), null, "img"))
        .isInstanceOf(ImageFormatException.class)
        .hasMessageContaining("img: layers[0]")
        .hasMessageContaining("not sha256");
  }

  @Test
  void parseDocument_notJson_isAFormatError() {
    assertThatThrownBy(() -> ImageJson.parseDocument(utf8("<html>"), null, "img"))
        .isInstanceOf(ImageFormatException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void config_roundTrip_keepsRuntimeFieldsAndIsDeterministic() throws Exception {
    String json =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
            + "\"config\":{\"Env\":[\"A=1\"],\"Cmd\":[\"a b\",\"c\"],\"Entrypoint\":[\"/e\"],"
            + "\"WorkingDir\":\"/w\",\"User\":\"1:2\",\"Labels\":{\"z\":\"1\",\"a\":\"2\"},"
            + "\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/v\":{}},\"StopSignal\":\"SIGINT\","
            + "\"Healthcheck\":{\"Test\":[\"CMD\",\"x\"],\"Interval\":5,\"Retries\":2},"
            + "\"Shell\":[\"/bin/sh\",\"-c\"],\"OnBuild\":[\"RUN x\"],\"ArgsEscaped\":true,"
            + "\"Hostname\":\"ignored\"},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
            + D1
            + "\"]}}";
    ImageConfig c = ImageJson.parseConfig(utf8(json), "cfg");
    assertThat(c.diffIds()).containsExactly(Digest.parse(D1));
    assertThat(c.config().cmd()).containsExactly("a b", "c");
    assertThat(c.config().healthcheck().retries()).isEqualTo(2);
    byte[] written = ImageJson.writeConfig(c, "made by test");
    assertThat(written).isEqualTo(ImageJson.writeConfig(c, "made by test"));
    String text = new String(written, StandardCharsets.UTF_8);
    assertThat(text)
        .contains("\"Labels\":{\"a\":\"2\",\"z\":\"1\"}")
        .contains("\"ExposedPorts\":{\"80/tcp\":{}}")
        .contains("\"Healthcheck\":{\"Test\":[\"CMD\",\"x\"],\"Interval\":5,\"Retries\":2}")
        .contains(
            "\"history\":[{\"created\":\"2024-01-02T03:04:05Z\",\"created_by\":\"made by test\"}]")
        .doesNotContain("Hostname");
    ImageConfig again = ImageJson.parseConfig(written, "again");
    assertThat(again.config()).isEqualTo(c.config());
  }

  @Test
  void config_withoutDiffIds_isRejected() {
    assertThatThrownBy(
            () -> ImageJson.parseConfig(utf8("{\"os\":\"linux\",\"architecture\":\"amd64\"}"), "c"))
        .isInstanceOf(ImageFormatException.class)
        .hasMessageContaining("rootfs.diff_ids");
  }

  @Test
  void platform_selection_followsVariantRules() throws Exception {
    Descriptor amd = desc(D1, new Platform("linux", "amd64", ""));
    Descriptor arm = desc(D2, new Platform("linux", "arm64", "v8"));
    ImageIndex index = new ImageIndex(MediaTypes.OCI_INDEX, List.of(amd, arm));
    assertThat(PlatformSelector.select(index, Platform.parse("linux/arm64"), "i")).isEqualTo(arm);
    assertThat(PlatformSelector.select(index, new Platform("linux", "arm64", "v8"), "i"))
        .isEqualTo(arm);
    assertThatThrownBy(() -> PlatformSelector.select(index, Platform.parse("linux/s390x"), "i"))
        .isInstanceOf(ImageFormatException.class)
        .hasMessageContaining("linux/s390x")
        .hasMessageContaining("linux/amd64");
    assertThat(Platform.ofJvm("Linux", "aarch64")).isEqualTo(new Platform("linux", "arm64", ""));
    assertThat(Platform.ofJvm("Mac OS X", "aarch64")).isEqualTo(Platform.LINUX_AMD64);
  }

  private static Descriptor desc(String digest, Platform p) {
    return new Descriptor(MediaTypes.OCI_MANIFEST, Digest.parse(digest), 1, p, null, null);
  }
}
