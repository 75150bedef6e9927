package io.cvmfsthin.thinimage.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.layer.DigestMismatchException;
import io.cvmfsthin.thinimage.layer.LayerStream;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.testing.LayerTar;
import io.cvmfsthin.thinimage.testing.TestImage.Layer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class LayerPublicationTarTest {
  private static LayerPublicationTar tarOf(
      Layer l, Digest diffId, String prefix, List<String> cats) {
    Descriptor d = Descriptor.of(l.mediaType(), l.digest(), l.blob().length);
    return new LayerPublicationTar(
        "layer 0",
        prefix,
        cats,
        () -> LayerStream.open(new ByteArrayInputStream(l.blob()), d, diffId, "layer 0"),
        (verified, n) -> Map.of("layers.json", "[]".getBytes()),
        bytes -> {});
  }

  private static List<TarArchiveEntry> entries(InputStream in) throws Exception {
    List<TarArchiveEntry> out = new ArrayList<>();
    TarArchiveInputStream tar = new TarArchiveInputStream(in);
    for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
      out.add(e);
    }
    return out;
  }

  @Test
  void entries_arePrefixed_hardLinksToo_symlinksNot_devicesAndOwnersKept() throws Exception {
    Layer l =
        Layer.gzip(
            new LayerTar()
                .dir("./")
                .file("./bin/a", "a".getBytes(), 04755, 7, 8)
                .hardlink("bin/b", "./bin/a")
                .symlink("bin/c", "/bin/a")
                .charDevice("dev/null", 1, 3)
                .fifo("run/f")
                .whiteout("etc", "gone")
                .fileWithXattr("x", "x", Map.of("user.k", "v"))
                .bytes(),
            false);
    List<TarArchiveEntry> es;
    try (LayerPublicationTar t = tarOf(l, l.diffId(), "ab/", List.of())) {
      es = entries(t);
      assertThat(t.entries()).isEqualTo(8);
    }
    assertThat(es)
        .extracting(TarArchiveEntry::getName)
        .containsExactly(
            "./",
            "ab/",
            "ab/layerfs/",
            "ab/layerfs/bin/a",
            "ab/layerfs/bin/b",
            "ab/layerfs/bin/c",
            "ab/layerfs/dev/null",
            "ab/layerfs/run/f",
            "ab/layerfs/etc/.wh.gone",
            "ab/layerfs/x",
            "ab/layerfs/.cvmfscatalog",
            "ab/.metadata/",
            "ab/.metadata/layers.json");
    TarArchiveEntry a = es.get(3);
    assertThat(a.getMode() & 07777).isEqualTo(04755);
    assertThat(a.getLongUserId()).isEqualTo(7);
    assertThat(es.get(4).isLink()).isTrue();
    assertThat(es.get(4).getLinkName()).isEqualTo("ab/layerfs/bin/a");
    assertThat(es.get(5).getLinkName()).isEqualTo("/bin/a");
    assertThat(es.get(6).isCharacterDevice()).isTrue();
    assertThat(es.get(6).getDevMinor()).isEqualTo(3);
    assertThat(es.get(7).isFIFO()).isTrue();
    assertThat(es.get(9).getExtraPaxHeader("SCHILY.xattr.user.k")).isEqualTo("v");
  }

  /** A file capability: bytes that are no UTF-8 (0xff, a lone 0x80). */
  static final byte[] CAPABILITY = {
    0x01,
    0x00,
    0x00,
    0x02,
    (byte) 0xff,
    (byte) 0xff,
    (byte) 0xc3,
    (byte) 0x80,
    (byte) 0x80,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0
  };

  @Test
  void binaryXattrs_keepTheirExactBytes_longNamesToo() throws Exception {
    String longName = "usr/lib/" + "x".repeat(110) + "/ping";
    Layer l =
        Layer.gzip(
            new LayerTar()
                .fileWithBinaryXattr("bin/ping", "p", "security.capability", CAPABILITY)
                .fileWithXattr("text", "t", Map.of("user.comment", "héllo"))
                .fileWithBinaryXattr(longName, "q", "security.capability", CAPABILITY)
                .bytes(),
            false);
    Map<String, Map<String, byte[]>> found = new java.util.LinkedHashMap<>();
    try (LayerPublicationTar t = tarOf(l, l.diffId(), "ab/cdef/", List.of("ab/"))) {
      io.cvmfsthin.cvmfs.tar.RawPaxHeaders raw = new io.cvmfsthin.cvmfs.tar.RawPaxHeaders(t);
      TarArchiveInputStream tar = new TarArchiveInputStream(raw, "UTF-8");
      while (true) {
        raw.startRecording();
        TarArchiveEntry e = tar.getNextEntry();
        if (e == null) {
          break;
        }
        Map<String, byte[]> x = raw.xattrs();
        if (x != null && !x.isEmpty()) {
          found.put(e.getName(), x);
        }
        tar.readAllBytes(); // the data read, the next recording starts at the next header
      }
    }
    assertThat(found)
        .containsOnlyKeys(
            "ab/cdef/layerfs/bin/ping", "ab/cdef/layerfs/text", "ab/cdef/layerfs/" + longName);
    assertThat(found.get("ab/cdef/layerfs/bin/ping").get("security.capability"))
        .containsExactly(CAPABILITY);
    assertThat(found.get("ab/cdef/layerfs/" + longName).get("security.capability"))
        .containsExactly(CAPABILITY);
    assertThat(new String(found.get("ab/cdef/layerfs/text").get("user.comment"), "UTF-8"))
        .isEqualTo("héllo");
  }

  @Test
  void wrongDiffId_neverLetsTheTarEnd() throws Exception {
    Layer l = Layer.gzip(new LayerTar().file("a", "a").bytes(), false);
    try (LayerPublicationTar t = tarOf(l, Digest.of(new byte[0]), "", List.of())) {
      assertThatThrownBy(t::readAllBytes)
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("diff_id mismatch");
    }
  }

  /** As Docker's overlay2 stores them: cleaned from the layer root, never outside layerfs. */
  @Test
  void climbingAndAbsoluteEntries_areCleanedFromTheLayerRoot() throws Exception {
    Layer l =
        Layer.plain(
            new LayerTar().file("a/../../etc/passwd", "x").file("/tmp/y", "y").bytes(), false);
    try (LayerPublicationTar t = tarOf(l, l.diffId(), "ab/", List.of())) {
      assertThat(entries(t))
          .extracting(TarArchiveEntry::getName)
          .contains("ab/layerfs/etc/passwd", "ab/layerfs/tmp/y")
          .allMatch(n -> n.equals("./") || n.startsWith("ab/"));
    }
  }

  @Test
  void nothingIsOpenedUntilRead() throws Exception {
    LayerPublicationTar t =
        new LayerPublicationTar(
            "l",
            "",
            List.of(),
            () -> {
              throw new AssertionError("opened");
            },
            (v, n) -> Map.of(),
            b -> {});
    t.close();
  }
}
