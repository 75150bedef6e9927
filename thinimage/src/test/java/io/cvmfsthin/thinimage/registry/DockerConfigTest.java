package io.cvmfsthin.thinimage.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigTest {
  @Test
  void read_findsAuthByHostInAnyKeyForm(@TempDir Path dir) throws Exception {
    String auth = Base64.getEncoder().encodeToString("me:pa:ss".getBytes(StandardCharsets.UTF_8));
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
            + auth
            + "\"},"
            + "\"http://127.0.0.1:5000\":{\"username\":\"u\",\"password\":\"p\"}},"
            + "\"credsStore\":\"desktop\"}");
    DockerConfig config = DockerConfig.read(file);
    assertThat(config.credentialsFor("docker.io")).contains(new RegistryCredentials("me", "pa:ss"));
    assertThat(config.credentialsFor("127.0.0.1:5000")).contains(new RegistryCredentials("u", "p"));
    assertThat(config.credentialsFor("example.org")).isEmpty();
  }

  @Test
  void read_badAuth_namesTheKeyNotTheSecret(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"auths\":{\"r.example\":{\"auth\":\"%%%secret\"}}}");
    assertThatThrownBy(() -> DockerConfig.read(file))
        .hasMessageContaining("auths.r.example.auth")
        .hasMessageNotContaining("secret");
  }

  @Test
  void credentials_toString_hidesThePassword() {
    assertThat(new RegistryCredentials("u", "hunter2").toString()).doesNotContain("hunter2");
  }
}
