package io.cvmfsthin.thinimage.thin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThinDescriptorWriterTest {
  static final String D1 = "3c645031de2917ade93ec54b118d5d3e45de72ef580b8f419a8cdc41e01d042c";

  @Test
  void write_matchesGoMarshalIndent() {
    ThinImage image =
        new ThinImage(
            "1.0",
            null,
            "https://registry.hub.docker.com/library/ubuntu:22.04",
            List.of(
                new ThinLayer(
                    D1, CvmfsUrl.parse("cvmfs://unpacked.cern.ch/.layers/3c/" + D1 + "/layerfs"))),
            null);
    String expected =
        "{\n"
            + "  \"version\": \"1.0\",\n"
            + "  \"origin\": \"https://registry.hub.docker.com/library/ubuntu:22.04\",\n"
            + "  \"layers\": [\n"
            + "    {\n"
            + "      \"digest\": \""
            + D1
            + "\",\n"
            + "      \"url\": \"cvmfs://unpacked.cern.ch/.layers/3c/"
            + D1
            + "/layerfs\"\n"
            + "    }\n"
            + "  ]\n"
            + "}";
    assertThat(new String(ThinDescriptorWriter.write(image), UTF_8)).isEqualTo(expected);
  }

  @Test
  void write_escapesAsGoDoes_andReadsBack() throws Exception {
    ThinImage image = new ThinImage("1.0", null, "a<b>&\"c\"\\", List.of(), "line\n");
    String text = new String(ThinDescriptorWriter.write(image), UTF_8);
    assertThat(text)
        .isEqualTo(
            "{\n  \"version\": \"1.0\",\n  \"origin\": \"a\\u003cb\\u003e\\u0026\\\"c\\\"\\\\\",\n"
                + "  \"layers\": [],\n  \"comment\": \"line\\n\"\n}");
    assertThat(ThinDescriptorReader.read(text.getBytes(UTF_8), "t")).isEqualTo(image);
  }

  @Test
  void write_isDeterministic() {
    ThinImage image =
        new ThinImage(
            "1.0", null, "o", List.of(new ThinLayer(D1, CvmfsUrl.parse("cvmfs://a.b/c"))), null);
    assertThat(ThinDescriptorWriter.write(image)).isEqualTo(ThinDescriptorWriter.write(image));
  }
}
