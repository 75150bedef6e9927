package io.cvmfsthin.thinimage.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.image.ImageIndex;
import io.cvmfsthin.thinimage.image.ImageManifest;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.image.Platform;
import io.cvmfsthin.thinimage.image.PlatformSelector;
import io.cvmfsthin.thinimage.image.json.ImageJson;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.testing.LayerTar;
import io.cvmfsthin.thinimage.testing.TestImage;
import io.cvmfsthin.thinimage.testing.TestRegistry;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The client against Debian's docker-registry 2.8 on loopback. */
@Tag("registry")
class RegistryClientIT {
  private static final HttpClient HTTP = RegistryClient.newHttpClient();
  private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(50));

  static TestImage smallImage(String content) {
    return TestImage.of(
        List.of(TestImage.Layer.gzip(new LayerTar().file("hello.txt", content).bytes(), false)),
        false,
        "amd64");
  }

  static DockerConfig creds(String host, String password) {
    return DockerConfig.of(Map.of(host, new RegistryCredentials(TestRegistry.USER, password)));
  }

  static void roundTrip(RegistryClient client, TestRegistry registry) throws Exception {
    ImageReference ref = ImageReference.parse(registry.host() + "/team/app:1.0");
    TestImage image = smallImage("hi " + ref);
    image.push(client, ref);

    ManifestResponse got = client.getManifest(ref);
    assertThat(got.digest()).isEqualTo(image.manifestDigest());
    ImageManifest manifest =
        (ImageManifest) ImageJson.parseDocument(got.bytes(), got.contentType(), ref.toString());
    assertThat(client.getBlob(ref, manifest.config(), 1 << 20)).isEqualTo(image.config);
    try (InputStream in = client.openBlob(ref, manifest.layers().get(0).digest())) {
      assertThat(in.readAllBytes()).isEqualTo(image.layers.get(0).blob());
    }
    assertThat(client.headManifest(ref, "1.0")).contains(image.manifestDigest());
    assertThat(client.headManifest(ref, "nope")).isEmpty();
    assertThat(
            client.pushBlob(
                ref, image.configDigest(), image.config.length, BlobSource.of(image.config)))
        .isFalse();
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Anonymous {
    TestRegistry registry;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
      registry = TestRegistry.start(dir, TestRegistry.Auth.NONE);
    }

    @AfterAll
    void stop() throws Exception {
      registry.close();
    }

    @Test
    void pushAndPull_roundTrip() throws Exception {
      roundTrip(new RegistryClient(HTTP, DockerConfig.EMPTY, Set.of(), FAST), registry);
    }

    @Test
    void chunkedUpload_ofLargerBlob_isStoredWhole() throws Exception {
      RegistryClient client =
          new RegistryClient(HTTP, DockerConfig.EMPTY, Set.of(), FAST, Duration.ofMinutes(1), 1000);
      ImageReference ref = ImageReference.parse(registry.host() + "/chunked/blob:x");
      byte[] blob = new byte[4500];
      new Random(1).nextBytes(blob);
      Digest d = Digest.of(blob);
      assertThat(client.pushBlob(ref, d, blob.length, BlobSource.of(blob))).isTrue();
      try (InputStream in = client.openBlob(ref, d)) {
        assertThat(in.readAllBytes()).isEqualTo(blob);
      }
    }

    @Test
    void index_isResolvedToThePlatform() throws Exception {
      RegistryClient client = new RegistryClient(HTTP, DockerConfig.EMPTY, Set.of(), FAST);
      ImageReference ref = ImageReference.parse(registry.host() + "/multi/arch:2");
      TestImage amd = smallImage("amd64");
      TestImage arm = TestImage.of(amd.layers, false, "arm64");
      amd.push(client, ref.withTag("amd"));
      arm.push(client, ref.withTag("arm"));
      byte[] index = TestImage.index(true, List.of(amd, arm), List.of("amd64", "arm64"));
      client.putManifest(ref, "2", MediaTypes.OCI_INDEX, index);

      ManifestResponse got = client.getManifest(ref);
      ImageIndex parsed =
          (ImageIndex) ImageJson.parseDocument(got.bytes(), got.contentType(), "index");
      Descriptor chosen =
          PlatformSelector.select(parsed, Platform.parse("linux/arm64"), ref.toString());
      assertThat(chosen.digest()).isEqualTo(arm.manifestDigest());
      assertThat(client.getManifest(ref, chosen.digest().toString()).digest())
          .isEqualTo(arm.manifestDigest());
    }

    @Test
    void unknownManifest_isA404WithTheRegistryCode() {
      RegistryClient client = new RegistryClient(HTTP, DockerConfig.EMPTY, Set.of(), FAST);
      ImageReference ref = ImageReference.parse(registry.host() + "/no/such:tag");
      assertThatThrownBy(() -> client.getManifest(ref))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("no/such:tag")
          .hasMessageContaining("404");
    }

    @Test
    void stoppedRegistry_isUnreachableAfterRetries(@TempDir Path dir) throws Exception {
      TestRegistry other = TestRegistry.start(dir, TestRegistry.Auth.NONE);
      other.close();
      RegistryClient client = new RegistryClient(HTTP, DockerConfig.EMPTY, Set.of(), FAST);
      assertThatThrownBy(() -> client.getManifest(ImageReference.parse(other.host() + "/a:b")))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("unreachable")
          .hasMessageContaining(other.host());
    }
  }

  @Test
  void transient503_isRetried_andRedirectsDropAuthorizationOnHostChange() throws Exception {
    TestImage image = smallImage("retry");
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.List<String> blobAuth = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer cdn =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("localhost", 0), 0);
    cdn.createContext(
        "/blob",
        ex -> {
          blobAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          ex.sendResponseHeaders(200, image.config.length);
          ex.getResponseBody().write(image.config);
          ex.close();
        });
    com.sun.net.httpserver.HttpServer fake =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    fake.createContext(
        "/v2/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          if (ex.getRequestHeaders().getFirst("Authorization") == null) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"fake\"");
            ex.sendResponseHeaders(401, -1);
          } else if (path.contains("/manifests/")) {
            if (calls.incrementAndGet() == 1) {
              ex.sendResponseHeaders(503, -1);
            } else {
              ex.getResponseHeaders().add("Content-Type", image.manifestType);
              ex.sendResponseHeaders(200, image.manifest.length);
              ex.getResponseBody().write(image.manifest);
            }
          } else {
            ex.getResponseHeaders()
                .add("Location", "http://localhost:" + cdn.getAddress().getPort() + "/blob");
            ex.sendResponseHeaders(307, -1);
          }
          ex.close();
        });
    fake.start();
    cdn.start();
    try {
      ImageReference ref =
          ImageReference.parse("127.0.0.1:" + fake.getAddress().getPort() + "/r/app:1");
      RegistryClient client = new RegistryClient(HTTP, creds(ref.registry(), "pw"), Set.of(), FAST);
      assertThat(client.getManifest(ref).digest()).isEqualTo(image.manifestDigest());
      assertThat(calls.get()).isEqualTo(2);
      ManifestResponse m = client.getManifest(ref);
      ImageManifest manifest =
          (ImageManifest) ImageJson.parseDocument(m.bytes(), m.contentType(), "m");
      assertThat(client.getBlob(ref, manifest.config(), 1 << 20)).isEqualTo(image.config);
      assertThat(blobAuth).containsExactly("null");
    } finally {
      fake.stop(0);
      cdn.stop(0);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Basic {
    TestRegistry registry;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
      registry = TestRegistry.start(dir, TestRegistry.Auth.BASIC);
    }

    @AfterAll
    void stop() throws Exception {
      registry.close();
    }

    @Test
    void withCredentials_roundTrip() throws Exception {
      roundTrip(
          new RegistryClient(HTTP, creds(registry.host(), TestRegistry.PASSWORD), Set.of(), FAST),
          registry);
    }

    @Test
    void withoutCredentials_401SaysSo() {
      RegistryClient client = new RegistryClient(HTTP, DockerConfig.EMPTY, Set.of(), FAST);
      assertThatThrownBy(() -> client.getManifest(ImageReference.parse(registry.host() + "/a:b")))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("401")
          .hasMessageContaining("requires credentials")
          .hasMessageContaining(registry.host());
    }

    @Test
    void wrongPassword_isRejected() {
      RegistryClient client =
          new RegistryClient(HTTP, creds(registry.host(), "wrong"), Set.of(), FAST);
      assertThatThrownBy(() -> client.getManifest(ImageReference.parse(registry.host() + "/a:b")))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("credentials rejected");
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Token {
    TestRegistry registry;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
      registry = TestRegistry.start(dir, TestRegistry.Auth.TOKEN);
    }

    @AfterAll
    void stop() throws Exception {
      registry.close();
    }

    @Test
    void withCredentials_roundTripThroughTheTokenServer() throws Exception {
      roundTrip(
          new RegistryClient(HTTP, creds(registry.host(), TestRegistry.PASSWORD), Set.of(), FAST),
          registry);
      // docker-registry lists push and pull in either order (a Go map); we ask for what it names
      assertThat(registry.tokenRequests())
          .containsAnyOf("repository:team/app:pull,push", "repository:team/app:push,pull");
    }

    @Test
    void withoutCredentials_401SaysSo() {
      RegistryClient client = new RegistryClient(HTTP, DockerConfig.EMPTY, Set.of(), FAST);
      assertThatThrownBy(() -> client.getManifest(ImageReference.parse(registry.host() + "/a:b")))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("401")
          .hasMessageContaining("requires credentials");
    }

    @Test
    void wrongPassword_isRefusedByTheTokenServer() {
      RegistryClient client =
          new RegistryClient(HTTP, creds(registry.host(), "wrong"), Set.of(), FAST);
      assertThatThrownBy(() -> client.getManifest(ImageReference.parse(registry.host() + "/a:b")))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("refused the credentials");
    }
  }
}
