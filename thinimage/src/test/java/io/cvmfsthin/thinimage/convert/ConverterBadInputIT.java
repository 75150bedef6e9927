package io.cvmfsthin.thinimage.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.thinimage.image.Platform;
import io.cvmfsthin.thinimage.layer.DigestMismatchException;
import io.cvmfsthin.thinimage.layer.LayerFormatException;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.registry.DockerConfig;
import io.cvmfsthin.thinimage.registry.RegistryCredentials;
import io.cvmfsthin.thinimage.registry.RegistryException;
import io.cvmfsthin.thinimage.testing.LayerTar;
import io.cvmfsthin.thinimage.testing.TestImage;
import io.cvmfsthin.thinimage.testing.TestImage.Layer;
import io.cvmfsthin.thinimage.testing.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input: each case fails with a clear error, the repository keeps serving the revision it had,
 * no layer directory and no image metadata appear, and the object store does not grow.
 */
@Tag("registry")
class ConverterBadInputIT {
  @TempDir Path dir;
  ConvertFixture fx;
  long revisionBefore;
  long storedBefore;

  @BeforeEach
  void start() throws Exception {
    fx = new ConvertFixture(dir, TestRegistry.Auth.NONE, DockerConfig.EMPTY);
    // a repository with a previous revision to keep
    ImageReference good = fx.ref("good/base:1");
    TestImage.of(
            List.of(Layer.gzip(new LayerTar().file("base.txt", "base").bytes(), false)),
            false,
            "amd64")
        .push(fx.client, good);
    fx.convert(good);
    revisionBefore = fx.revision();
    storedBefore = fx.storedBytes();
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  private void assertNothingChanged(ImageReference source, List<Layer> layers) throws Exception {
    assertThat(fx.revision()).isEqualTo(revisionBefore);
    assertThat(fx.storedBytes()).isEqualTo(storedBefore);
    try (RepositoryClient repo = fx.reader()) {
      for (Layer l : layers) {
        assertThatThrownBy(() -> repo.lookup(LayerLayout.layerDir(l.digest())))
            .isInstanceOf(NoSuchFileException.class);
      }
      assertThatThrownBy(() -> repo.lookup(LayerLayout.imageMetadataDir(source)))
          .isInstanceOf(NoSuchFileException.class);
    }
    assertThat(fx.client.headManifest(TargetNames.defaultTarget(source), source.tag())).isEmpty();
  }

  private static byte[] randomFile(int size) {
    byte[] b = new byte[size];
    new Random(42).nextBytes(b);
    return b;
  }

  @Test
  void corruptedBlob_isADigestMismatch() throws Exception {
    ImageReference source = fx.ref("bad/corrupt:1");
    Layer layer =
        Layer.plain(
            new LayerTar().file("payload.bin", randomFile(64 * 1024), 0644, 0, 0).bytes(), false);
    TestImage.of(List.of(layer), false, "amd64").push(fx.client, source);
    // flip bytes inside the file data: the tar still parses, only the digest can tell
    Path stored = fx.registryBlobFile(layer.digest());
    byte[] bytes = Files.readAllBytes(stored);
    for (int i = 2048; i < 2100; i++) {
      bytes[i] ^= 0x5a;
    }
    Files.write(stored, bytes);

    assertThatThrownBy(() -> fx.convert(source))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("digest mismatch")
        .hasMessageContaining(layer.digest().toString())
        .hasMessageContaining("layer 0");
    assertNothingChanged(source, List.of(layer));
  }

  @Test
  void aCorruptThirdLayer_publishesNothing_notEvenTheGoodLayersBeforeIt() throws Exception {
    ImageReference source = fx.ref("bad/third:1");
    List<Layer> layers =
        List.of(
            Layer.gzip(new LayerTar().file("one.txt", "1").bytes(), false),
            Layer.plain(
                new LayerTar().file("two.bin", randomFile(64 * 1024), 0644, 0, 0).bytes(), false),
            Layer.plain(
                new LayerTar().file("three.bin", randomFile(64 * 1024), 0644, 0, 0).bytes(),
                false));
    TestImage.of(layers, false, "amd64").push(fx.client, source);
    Path stored = fx.registryBlobFile(layers.get(2).digest());
    byte[] bytes = Files.readAllBytes(stored);
    for (int i = 2048; i < 2100; i++) {
      bytes[i] ^= 0x5a;
    }
    Files.write(stored, bytes);

    assertThatThrownBy(() -> fx.convert(source))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("layer 2");
    assertNothingChanged(source, layers);
  }

  @Test
  void diffIdMismatch_isRejected() throws Exception {
    ImageReference source = fx.ref("bad/diffid:1");
    Layer layer = Layer.gzip(new LayerTar().file("x.txt", "x").bytes(), false);
    Digest wrong = Digest.of("not the tar".getBytes());
    TestImage.of(List.of(layer), false, "amd64", TestImage.fullRuntimeConfig(), List.of(wrong))
        .push(fx.client, source);

    assertThatThrownBy(() -> fx.convert(source))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("diff_id mismatch")
        .hasMessageContaining(wrong.toString());
    assertNothingChanged(source, List.of(layer));
  }

  @Test
  void unknownLayerMediaType_isRejectedBeforeAnything() throws Exception {
    ImageReference source = fx.ref("bad/mediatype:1");
    Layer layer =
        Layer.gzip(new LayerTar().file("x.txt", "y").bytes(), false)
            .withMediaType("application/vnd.example.layer.v1.squashfs");
    TestImage.of(List.of(layer), false, "amd64").push(fx.client, source);

    assertThatThrownBy(() -> fx.convert(source))
        .isInstanceOf(LayerFormatException.class)
        .hasMessageContaining("unknown layer media type application/vnd.example.layer.v1.squashfs");
    assertNothingChanged(source, List.of(layer));
  }

  @Test
  void registryStoppedMidLayer_failsClearly() throws Exception {
    ImageReference source = fx.ref("bad/stopped:1");
    Layer big =
        Layer.plain(
            new LayerTar().file("big.bin", randomFile(48 << 20), 0644, 0, 0).bytes(), false);
    TestImage.of(List.of(big), false, "amd64").push(fx.client, source);
    ConvertListener killer =
        new ConvertListener() {
          boolean killed;

          @Override
          public void layerProgress(int index, long blobBytes, long totalBytes) {
            if (!killed && blobBytes > (2 << 20)) {
              killed = true;
              try {
                fx.registry.kill();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        };

    assertThatThrownBy(
            () ->
                fx.convert(
                    new RegistrySource(fx.client, source, Platform.LINUX_AMD64),
                    null,
                    ConvertOptions.DEFAULT,
                    killer))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("layer 0")
        .hasMessageContaining(big.digest().shortForm());
    fx.registry.restart(TestRegistry.Auth.NONE);
    assertNothingChanged(source, List.of(big));
  }

  @Test
  void unauthorized_withoutCredentials_saysSo(@TempDir Path other) throws Exception {
    DockerConfig creds =
        DockerConfig.of(
            Map.of("127.0.0.1", new RegistryCredentials(TestRegistry.USER, TestRegistry.PASSWORD)));
    try (ConvertFixture basic =
        new ConvertFixture(other, TestRegistry.Auth.BASIC, DockerConfig.EMPTY)) {
      ImageReference source = basic.ref("private/app:1");
      io.cvmfsthin.thinimage.registry.RegistryClient withCreds =
          new io.cvmfsthin.thinimage.registry.RegistryClient(
              io.cvmfsthin.thinimage.registry.RegistryClient.newHttpClient(),
              DockerConfig.of(
                  Map.of(
                      basic.registry.host(),
                      new RegistryCredentials(TestRegistry.USER, TestRegistry.PASSWORD))),
              java.util.Set.of(),
              io.cvmfsthin.thinimage.registry.RetryPolicy.NONE);
      Layer layer = Layer.gzip(new LayerTar().file("secret.txt", "s").bytes(), false);
      TestImage.of(List.of(layer), false, "amd64").push(withCreds, source);
      basic.repository().close(); // the repository exists before the conversion
      long before = basic.revision();

      assertThatThrownBy(() -> basic.convert(source))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("401")
          .hasMessageContaining("requires credentials")
          .hasMessageContaining(basic.registry.host());
      assertThat(basic.revision()).isEqualTo(before);
      assertThat(creds).isNotNull();
    }
  }

  @Test
  void corruptedGzipBlob_failsNamingTheLayer() throws Exception {
    ImageReference source = fx.ref("bad/gzip:1");
    Layer layer =
        Layer.gzip(
            new LayerTar().file("payload.bin", randomFile(256 * 1024), 0644, 0, 0).bytes(), false);
    TestImage.of(List.of(layer), false, "amd64").push(fx.client, source);
    Path stored = fx.registryBlobFile(layer.digest());
    byte[] bytes = Files.readAllBytes(stored);
    for (int i = 4000; i < 4100; i++) {
      bytes[i] ^= 0x33;
    }
    Files.write(stored, bytes);

    assertThatThrownBy(() -> fx.convert(source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("layer 0 " + layer.digest().shortForm());
    assertNothingChanged(source, List.of(layer));
  }

  @Test
  void truncatedGzipBlob_failsNamingTheLayer_andLeavesNothing() throws Exception {
    ImageReference source = fx.ref("bad/truncated:1");
    Layer good = Layer.gzip(new LayerTar().file("first.txt", "first").bytes(), false);
    Layer layer =
        Layer.gzip(
            new LayerTar().file("payload.bin", randomFile(512 * 1024), 0644, 0, 0).bytes(), false);
    TestImage.of(List.of(good, layer), false, "amd64").push(fx.client, source);
    // the registry serves what it stores: half of the gzip stream, the end of it missing
    Path stored = fx.registryBlobFile(layer.digest());
    byte[] bytes = Files.readAllBytes(stored);
    Files.write(stored, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertThatThrownBy(() -> fx.convert(source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("layer 1 " + layer.digest().shortForm());
    assertNothingChanged(source, List.of(good, layer));
    assertThat(fx.txnLeftovers()).isEmpty();
  }
}
