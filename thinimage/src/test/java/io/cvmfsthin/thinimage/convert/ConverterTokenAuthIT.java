package io.cvmfsthin.thinimage.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.registry.DockerConfig;
import io.cvmfsthin.thinimage.registry.RegistryCredentials;
import io.cvmfsthin.thinimage.testing.LayerTar;
import io.cvmfsthin.thinimage.testing.TestImage;
import io.cvmfsthin.thinimage.testing.TestImage.Layer;
import io.cvmfsthin.thinimage.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull and push through a token-auth registry, credentials from a Docker config.json. */
@Tag("registry")
class ConverterTokenAuthIT {
  @TempDir Path dir;

  @Test
  void convert_throughTokenAuth_withDockerConfigCredentials() throws Exception {
    // the registry's port is known only once it runs: start it, then write config.json for it
    try (ConvertFixture probe =
        new ConvertFixture(dir, TestRegistry.Auth.TOKEN, DockerConfig.EMPTY)) {
      Path config = dir.resolve("config.json");
      String auth =
          java.util.Base64.getEncoder()
              .encodeToString((TestRegistry.USER + ":" + TestRegistry.PASSWORD).getBytes());
      Files.writeString(
          config,
          "{\"auths\":{\"http://" + probe.registry.host() + "\":{\"auth\":\"" + auth + "\"}}}");
      DockerConfig creds = DockerConfig.read(config);
      assertThat(creds.credentialsFor(probe.registry.host()))
          .contains(new RegistryCredentials(TestRegistry.USER, TestRegistry.PASSWORD));
      ConvertFixture fx = probe.withCredentials(creds);

      ImageReference source = fx.ref("secure/app:7");
      Layer layer = Layer.gzip(new LayerTar().dir("etc").file("etc/token", "ok").bytes(), false);
      TestImage.of(List.of(layer), false, "amd64").push(fx.client, source);

      ConvertResult r = fx.convert(source);

      assertThat(r.layersNew()).isEqualTo(1);
      assertThat(fx.client.headManifest(r.target(), "7")).contains(r.thinManifest());
      // the registry's challenges list push and pull in either order (docker-registry builds
      // them from a Go map), and we ask for the scope a challenge names
      assertThat(fx.registry.tokenRequests())
          .contains("repository:secure/app:pull")
          .containsAnyOf(
              "repository:secure/app_thin:pull,push", "repository:secure/app_thin:push,pull");
      try (RepositoryClient repo = fx.reader()) {
        assertThat(ConverterIT.read(repo, LayerLayout.layerFs(layer.digest()) + "/etc/token"))
            .isEqualTo("ok");
      }
    }
  }
}
