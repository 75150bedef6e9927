package io.cvmfsthin.thinimage.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.testing.LayerTar;
import io.cvmfsthin.thinimage.testing.TestImage.Layer;
import java.io.ByteArrayInputStream;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LayerStreamTest {
  private static final byte[] TAR =
      new LayerTar().dir("etc").file("etc/hosts", "127.0.0.1 localhost\n").bytes();

  static Stream<Layer> layers() {
    return Stream.of(
        Layer.gzip(TAR, false),
        Layer.gzip(TAR, true),
        Layer.zstd(TAR),
        Layer.plain(TAR, true),
        Layer.plain(TAR, false),
        // dockerd accepts plain tars labelled gzip; so do we (magic decides)
        Layer.plain(TAR, false).withMediaType(MediaTypes.DOCKER_LAYER_GZIP));
  }

  private static Descriptor descriptor(Layer l) {
    return Descriptor.of(l.mediaType(), l.digest(), l.blob().length);
  }

  @ParameterizedTest
  @MethodSource("layers")
  void open_decodesAndVerifies(Layer layer) throws Exception {
    try (LayerStream s =
        LayerStream.open(
            new ByteArrayInputStream(layer.blob()), descriptor(layer), layer.diffId(), "layer 0")) {
      TarArchiveInputStream tar = new TarArchiveInputStream(s.tar());
      assertThat(tar.getNextEntry().getName()).isEqualTo("etc/");
      assertThat(tar.getNextEntry().getName()).isEqualTo("etc/hosts");
      s.finish(); // reads the padding the tar reader left
      assertThat(s.tarBytes()).isEqualTo(TAR.length);
      assertThat(s.blobBytes()).isEqualTo(layer.blob().length);
    }
  }

  @Test
  void corruptBlob_isADigestMismatchNamingTheLayer() throws Exception {
    Layer good = Layer.gzip(TAR, false);
    byte[] other = Layer.gzip(new LayerTar().file("x", "y").bytes(), false).blob();
    Descriptor d = Descriptor.of(good.mediaType(), good.digest(), other.length);
    try (LayerStream s =
        LayerStream.open(new ByteArrayInputStream(other), d, good.diffId(), "layer 3")) {
      assertThatThrownBy(s::finish)
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("layer 3 blob")
          .hasMessageContaining(good.digest().toString());
    }
  }

  @Test
  void wrongDiffId_isRejected() throws Exception {
    Layer good = Layer.zstd(TAR);
    Digest wrong = Digest.of(new byte[] {1});
    try (LayerStream s =
        LayerStream.open(new ByteArrayInputStream(good.blob()), descriptor(good), wrong, "l1")) {
      assertThatThrownBy(s::finish)
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("diff_id mismatch")
          .hasMessageContaining(wrong.toString());
    }
  }

  @Test
  void blobLongerThanItsDescriptor_isStoppedEarly() {
    Layer good = Layer.plain(TAR, true);
    Descriptor d = Descriptor.of(good.mediaType(), good.digest(), 100);
    assertThatThrownBy(
            () -> {
              try (LayerStream s =
                  LayerStream.open(new ByteArrayInputStream(good.blob()), d, good.diffId(), "l2")) {
                s.finish();
              }
            })
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("more than the 100 bytes");
  }

  @Test
  void unknownMediaType_isRejectedBeforeReading() {
    Layer good = Layer.gzip(TAR, false);
    Descriptor d = Descriptor.of("application/vnd.example.squashfs", good.digest(), 1);
    assertThatThrownBy(
            () -> LayerStream.open(new ByteArrayInputStream(good.blob()), d, good.diffId(), "l4"))
        .isInstanceOf(LayerFormatException.class)
        .hasMessageContaining("unknown layer media type application/vnd.example.squashfs");
  }

  @Test
  void truncatedGzip_isAnError() throws Exception {
    Layer good = Layer.gzip(TAR, false);
    byte[] cut = java.util.Arrays.copyOf(good.blob(), good.blob().length / 2);
    try (LayerStream s =
        LayerStream.open(new ByteArrayInputStream(cut), descriptor(good), good.diffId(), "l5")) {
      assertThatThrownBy(s::finish).isInstanceOf(java.io.IOException.class);
    }
  }
}
