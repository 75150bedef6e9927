package io.cvmfsthin.thinimage.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
  private static final String HEX = "a".repeat(64);

  @ParameterizedTest
  @CsvSource({
    "ubuntu, docker.io, library/ubuntu, latest",
    "ubuntu:22.04, docker.io, library/ubuntu, 22.04",
    "user/app:1, docker.io, user/app, 1",
    "localhost/app, localhost, app, latest",
    "localhost:5000/a/b/c:v1.2, localhost:5000, a/b/c, v1.2",
    "127.0.0.1:5000/team/app:1.0, 127.0.0.1:5000, team/app, 1.0",
    "registry.cern.ch/atlas/athena, registry.cern.ch, atlas/athena, latest",
    "https://registry.hub.docker.com/library/ubuntu:latest, docker.io, library/ubuntu, latest",
    "index.docker.io/nginx, docker.io, library/nginx, latest"
  })
  void parse_appliesDockerDefaults(String text, String registry, String repo, String tag) {
    ImageReference r = ImageReference.parse(text);
    assertThat(r.registry()).isEqualTo(registry);
    assertThat(r.repository()).isEqualTo(repo);
    assertThat(r.tag()).isEqualTo(tag);
  }

  @org.junit.jupiter.api.Test
  void parse_digestOnly_hasNoTag() {
    ImageReference r = ImageReference.parse("example.org/app@sha256:" + HEX);
    assertThat(r.tag()).isNull();
    assertThat(r.digest()).isEqualTo(new Digest(HEX));
    assertThat(r.manifestReference()).isEqualTo("sha256:" + HEX);
    assertThat(r.toString()).isEqualTo("example.org/app@sha256:" + HEX);
  }

  @org.junit.jupiter.api.Test
  void apiHost_ofDockerHub_isRegistry1() {
    assertThat(ImageReference.parse("ubuntu").apiHost()).isEqualTo("registry-1.docker.io");
    assertThat(ImageReference.parse("127.0.0.1:5000/a").host()).isEqualTo("127.0.0.1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "UPPER/case", "a//b", "app:bad tag", "app@sha256:short", "a/b:"})
  void parse_invalid_isRejectedNamingTheValue(String text) {
    assertThatThrownBy(() -> ImageReference.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image reference");
  }

  @org.junit.jupiter.api.Test
  void digest_parse_rejectsOtherAlgorithms() {
    assertThatThrownBy(() -> Digest.parse("sha512:" + HEX))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not sha256");
    assertThat(Digest.of(new byte[0]).hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}
