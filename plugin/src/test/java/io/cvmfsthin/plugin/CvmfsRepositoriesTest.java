package io.cvmfsthin.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's CVMFS settings: what a user is told when a repository lacks them. */
class CvmfsRepositoriesTest {
  static final String FQRN = "thin.example.org";

  static CvmfsRepositories.PluginConfig config(Path root, Path cache, Map<String, String> env) {
    return new CvmfsRepositories.PluginConfig(root, cache, env);
  }

  static void writePublicKey(Path file) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes())
            .encodeToString(g.generateKeyPair().getPublic().getEncoded());
    Files.createDirectories(file.getParent());
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n");
  }

  @Test
  void missingSettings_placeholderConfigAndNoEnvironment_namesServerUrlAndTheMount(
      @TempDir Path placeholder, @TempDir Path cache) {
    CvmfsRepositories.PluginConfig c = config(placeholder, cache, Map.of("CVMFS_SERVER_URL", ""));
    assertThat(c.isConfigured(FQRN)).isFalse();
    assertThat(c.missingSettings(FQRN))
        .startsWith("no CVMFS_SERVER_URL for it; ")
        .contains("docker plugin set", "cvmfs-config.source=", "keys/" + FQRN + ".pub")
        .contains("config.d/" + FQRN + ".conf", "CVMFS_SERVER_URL and CVMFS_KEYS_DIR");
  }

  @Test
  void missingSettings_serverUrlWithoutKeys_namesTheMissingKeyDirectory(
      @TempDir Path placeholder, @TempDir Path cache) {
    CvmfsRepositories.PluginConfig c =
        config(placeholder, cache, Map.of("CVMFS_SERVER_URL", "http://127.0.0.1/cvmfs/@fqrn@"));
    assertThat(c.isConfigured(FQRN)).isTrue();
    assertThat(c.missingSettings(FQRN))
        .startsWith(placeholder.resolve("keys") + " does not exist; ")
        .contains("cvmfs-config.source=");
  }

  @Test
  void missingSettings_completeConfiguration_isEmpty(@TempDir Path etc, @TempDir Path cache)
      throws Exception {
    writePublicKey(etc.resolve("keys").resolve(FQRN + ".pub"));
    Files.createDirectories(etc.resolve("config.d"));
    Files.writeString(
        etc.resolve("config.d").resolve(FQRN + ".conf"),
        "CVMFS_SERVER_URL=http://127.0.0.1/cvmfs/@fqrn@\n");
    CvmfsRepositories.PluginConfig c = config(etc, cache, Map.of());
    assertThat(c.isConfigured(FQRN)).isTrue();
    assertThat(c.missingSettings(FQRN)).isEmpty();
  }
}
