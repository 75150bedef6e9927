package io.cvmfsthin.thinimage.thin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThinDescriptorReaderTest {
  static final String D1 = "3c645031de2917ade93ec54b118d5d3e45de72ef580b8f419a8cdc41e01d042c";
  static final String D2 = "a".repeat(64);

  static String layer(String digest, String url) {
    return "{\"digest\": \"" + digest + "\", \"url\": \"" + url + "\"}";
  }

  static ThinImage read(String json) throws ThinDescriptorException {
    return ThinDescriptorReader.read(json.getBytes(UTF_8), "layer abc/thin.json");
  }

  @Test
  void read_ducc_descriptor_keepsLayersBottomFirst() throws Exception {
    String json =
        "{\n  \"version\": \"1.0\",\n  \"origin\": \"https://registry.hub.docker.com/library/x:1\","
            + "\n  \"layers\": ["
            + layer(D1, "cvmfs://unpacked.cern.ch/.layers/3c/" + D1 + "/layerfs")
            + ","
            + layer(D2, "cvmfs://unpacked.cern.ch/.layers/aa/" + D2 + "/layerfs")
            + "], \"future_key\": 3}";
    ThinImage image = read(json);
    assertThat(image.version()).isEqualTo("1.0");
    assertThat(image.origin()).isEqualTo("https://registry.hub.docker.com/library/x:1");
    assertThat(image.layers()).extracting(ThinLayer::digest).containsExactly(D1, D2);
    assertThat(image.layers().get(0).url())
        .isEqualTo(new CvmfsUrl("unpacked.cern.ch", ".layers/3c/" + D1 + "/layerfs"));
    assertThat(image.lowerStack()).extracting(ThinLayer::digest).containsExactly(D2, D1);
  }

  @Test
  void lowerStack_repeatedUrl_keepsTopMostOccurrence() throws Exception {
    String a = "cvmfs://r.example.org/a";
    String b = "cvmfs://r.example.org/b";
    ThinImage image =
        read(
            "{\"version\":\"1.0\",\"layers\":["
                + String.join(",", layer(D1, a), layer(D2, b), layer(D1, a))
                + "]}");
    assertThat(image.lowerStack())
        .extracting(l -> l.url().path())
        .containsExactly("a", "b"); // a on top (its last occurrence), then b
  }

  @Test
  void read_legacyScratch_isAccepted() throws Exception {
    assertThat(read("{\"version\":\"0.1\",\"layers\":[]}").layers()).isEmpty();
  }

  @Test
  void read_127Layers_isAccepted_128_isRejected() throws Exception {
    List<String> layers = new ArrayList<>();
    for (int i = 0; i < 127; i++) {
      layers.add(layer(D1, "cvmfs://r.example.org/l" + i));
    }
    assertThat(read("{\"version\":\"1.0\",\"layers\":[" + String.join(",", layers) + "]}").layers())
        .hasSize(127);
    layers.add(layer(D1, "cvmfs://r.example.org/top"));
    assertThatThrownBy(
            () -> read("{\"version\":\"1.0\",\"layers\":[" + String.join(",", layers) + "]}"))
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessageContaining("layer abc/thin.json")
        .hasMessageContaining("128 layers, more than the 127 allowed");
  }

  @Test
  void read_tooLarge_isRejected() {
    byte[] big = new byte[ThinDescriptorReader.MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    assertThatThrownBy(() -> ThinDescriptorReader.read(big, "thin.json"))
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessageContaining("larger than the 1 MiB limit");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          malformed JSON          | {"version": "1.0", "layers": [      | not valid JSON
          not an object           | ["1.0"]                             | not a JSON object
          duplicate key           | {"version":"1.0","version":"1.1","layers":[]} | not valid JSON
          version missing         | {"layers": []}                      | version: missing
          version not a string    | {"version": 1.0, "layers": []}      | version: must be a string
          version unknown major   | {"version": "2.0", "layers": []}    | version "2.0" is not supported, expected 1.x
          version garbage         | {"version": "one", "layers": []}    | version "one" is not <major>.<minor>
          min_version too new     | {"version": "1.0", "min_version": "1.9", "layers": []} | min_version 1.9 is newer than this reader
          layers missing          | {"version": "1.0"}                  | layers: missing
          layers not an array     | {"version": "1.0", "layers": {}}    | layers: must be an array
          layer not an object     | {"version": "1.0", "layers": ["x"]} | layers[0]: not a JSON object
          legacy with layers      | {"version": "0.1", "layers": [{"digest": "x"}]} | legacy descriptor (version 0.1) with 1 layers, whose order cannot be known; reconvert the image
          digest missing          | {"version": "1.0", "layers": [{"url": "cvmfs://r.example.org/a"}]} | layers[0]: digest: missing
          digest with prefix      | {"version": "1.0", "layers": [{"digest": "sha256:3c645031de2917ade93ec54b118d5d3e45de72ef580b8f419a8cdc41e01d042c", "url": "cvmfs://r.example.org/a"}]} | layers[0].digest: digest "sha256:3c64
          url missing             | {"version": "1.0", "layers": [{"digest": "3c645031de2917ade93ec54b118d5d3e45de72ef580b8f419a8cdc41e01d042c"}]} | layers[0]: url: missing
          """)
  void read_badDescriptor_isRejectedNamingTheField(String rule, String json, String message) {
    assertThatThrownBy(() -> read(json))
        .as(rule)
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessageContaining("layer abc/thin.json")
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          http scheme        | http://r.example.org/a          | scheme http is not cvmfs
          upper-case scheme  | CVMFS://r.example.org/a         | scheme CVMFS is not cvmfs
          no scheme          | r.example.org/a                 | scheme (none) is not cvmfs
          user-info          | cvmfs://u@r.example.org/a       | '@' not allowed
          query              | cvmfs://r.example.org/a?x=1     | '?' not allowed
          fragment           | cvmfs://r.example.org/a#x       | '#' not allowed
          port               | cvmfs://r.example.org:80/a      | a port is not allowed
          no path            | cvmfs://r.example.org           | no path after the repository name
          empty path         | cvmfs://r.example.org/          | empty layer path
          single label       | cvmfs://localhost/a             | is not a fully qualified name
          upper-case fqrn    | cvmfs://R.example.org/a         | is not a lowercase DNS name
          bad label          | cvmfs://r..org/a                | is not a lowercase DNS name
          dot-dot segment    | cvmfs://r.example.org/a/../../etc | segment '..' in layer path
          dot segment        | cvmfs://r.example.org/./a       | segment '.' in layer path
          empty segment      | cvmfs://r.example.org/a//b      | empty segment in layer path
          leading slash      | cvmfs://r.example.org//a        | must not start with '/'
          trailing slash     | cvmfs://r.example.org/a/        | must not end with '/'
          """)
  void read_badUrl_isRejectedNamingTheUrl(String rule, String url, String message) {
    String json = "{\"version\":\"1.0\",\"layers\":[" + layer(D1, url) + "]}";
    assertThatThrownBy(() -> read(json))
        .as(rule)
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessageContaining("layers[0].url")
        .hasMessageContaining(message);
  }

  @Test
  void read_nulInPath_isRejected() {
    String json =
        "{\"version\":\"1.0\",\"layers\":[" + layer(D1, "cvmfs://r.example.org/a\\u0000b") + "]}";
    assertThatThrownBy(() -> read(json)).hasMessageContaining("NUL in layer path");
  }
}
