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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-pass entries of a layer publish exactly the repository that the tar of {@link
 * LayerPublicationTar} (the path before them) publishes: every file of the two repositories, byte
 * for byte (catalogs with their rows and xattrs, file and chunk objects, history, manifest).
 */
class LayerEntriesTest {
  private static final String FQRN = "same.example.org";
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  private static final byte[] CAPABILITY = LayerPublicationTarTest.CAPABILITY;

  private static Layer everyKindOfEntry() {
    Random rnd = new Random(13);
    byte[] big = new byte[20 << 20]; // over the largest chunk: chunk objects, written inline
    rnd.nextBytes(big);
    byte[] holes = new byte[3 << 20]; // mostly zeros, as a sparse file reads
    holes[17] = 1;
    holes[holes.length - 1] = 2;
    return Layer.gzip(
        new LayerTar()
            .dir("./")
            .file("./etc/passwd", "root:x:0:0::/root:/bin/sh\n".getBytes(), 0644, 0, 0)
            .dir("etc", 0750, 3, 4) // a directory named after its files: its metadata wins
            .file("bin/app", big, 04755, 7, 8)
            .file("var/lib/sparse.img", holes, 0600, 0, 0)
            .file("empty", new byte[0], 0644, 0, 0)
            .hardlink("bin/app-link", "./bin/app")
            .hardlink("etc/passwd-", "etc/passwd")
            .symlink("bin/sh", "/bin/busybox")
            .symlink("lib/rel", "../etc/passwd")
            .charDevice("dev/null", 1, 3)
            .fifo("run/fifo")
            .whiteout("usr", "gone")
            .opaque("opt")
            .fileWithBinaryXattr("bin/ping", "ping", "security.capability", CAPABILITY)
            .fileWithXattr("text", "t", Map.of("user.comment", "héllo", "user.b", "2"))
            .fileWithBinaryXattr("usr/lib/" + "x".repeat(110) + "/ping", "q", "user.k", CAPABILITY)
            .file("nön-ascii/名前", "n".getBytes(StandardCharsets.UTF_8), 0644, 1000, 1000)
            .file("etc/passwd", "replaced\n".getBytes(), 0600, 0, 0) // a later entry wins
            .bytes(),
        true);
  }

  private static LayerStream open(Layer l, Digest diffId) throws IOException {
    Descriptor d = Descriptor.of(l.mediaType(), l.digest(), l.blob().length);
    return LayerStream.open(new ByteArrayInputStream(l.blob()), d, diffId, "layer 0");
  }

  private static final LayerPublicationTar.MetadataMaker METADATA =
      (verified, n) ->
          Map.of("layers.json", ("[" + verified.tarBytes() + "," + n + "]").getBytes());

  /** Publishes the layer at {@code /.layers} (prefix and catalog dirs as the converter does). */
  private static Path publish(Path home, Layer l, Digest diffId, boolean entries)
      throws IOException {
    Path storage = home.resolve("storage");
    String prefix = "ab/abcdef/";
    List<String> cats = List.of("ab/");
    try (CvmfsLayerRepository repo =
        CvmfsLayerRepository.openOrCreate(storage, home.resolve("keys"), FQRN, CLOCK)) {
      repo.transaction(
          t -> {
            if (entries) {
              try (LayerEntries e =
                  new LayerEntries(
                      "layer 0", prefix, cats, () -> open(l, diffId), METADATA, b -> {})) {
                t.publish("/.layers", e, true, true);
              }
            } else {
              try (LayerPublicationTar tar =
                  new LayerPublicationTar(
                      "layer 0", prefix, cats, () -> open(l, diffId), METADATA, b -> {})) {
                t.publish("/.layers", tar, true, true);
              }
            }
          });
    }
    return storage.resolve(FQRN);
  }

  /** Every file of a repository but its scratch space and lock: relative path → bytes. */
  private static Map<String, byte[]> files(Path repo) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(repo)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = repo.relativize(p).toString();
        if (Files.isRegularFile(p) && !rel.startsWith("data/txn") && !rel.contains("lock")) {
          out.put(rel, Files.readAllBytes(p));
        }
      }
    }
    return out;
  }

  @Test
  void entriesAndTar_publishByteIdenticalRepositories(@TempDir Path home) throws Exception {
    Layer l = everyKindOfEntry();
    Path viaTar = publish(home.resolve("tar"), l, l.diffId(), false);
    // the same keys, so that signatures and certificates are the same bytes too
    Files.createDirectories(home.resolve("entries"));
    copyKeys(home.resolve("tar").resolve("keys"), home.resolve("entries").resolve("keys"));
    Path viaEntries = publish(home.resolve("entries"), l, l.diffId(), true);

    Map<String, byte[]> a = files(viaTar);
    Map<String, byte[]> b = files(viaEntries);
    assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
    for (String name : a.keySet()) {
      assertThat(b.get(name)).as(name).isEqualTo(a.get(name));
    }
    assertThat(a.keySet().stream().filter(n -> n.endsWith("P"))).isNotEmpty(); // chunks made
  }

  private static void copyKeys(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }

  @Test
  void wrongDiffId_failsNamingTheLayer_beforeTheEntriesEnd() throws Exception {
    Layer l = Layer.gzip(new LayerTar().file("a", "a").bytes(), false);
    try (LayerEntries e =
        new LayerEntries(
            "layer 0", "", List.of(), () -> open(l, Digest.of(new byte[0])), METADATA, b -> {})) {
      assertThatThrownBy(
              () -> {
                while (e.next() != null) {
                  e.content().readAllBytes();
                }
              })
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("layer 0")
          .hasMessageContaining("diff_id mismatch");
    }
  }

  /** Cleaned from the layer root as Docker's overlay2 stores them: never outside layerfs. */
  @Test
  void climbingAndAbsoluteEntries_areCleanedFromTheLayerRoot() throws Exception {
    Layer l =
        Layer.plain(
            new LayerTar().file("a/../../etc/passwd", "x").file("/tmp/y", "y").bytes(), false);
    List<String> names = new java.util.ArrayList<>();
    try (LayerEntries e =
        new LayerEntries("layer 0", "", List.of(), () -> open(l, l.diffId()), METADATA, b -> {})) {
      for (io.cvmfsthin.cvmfs.publish.PublishEntry p; (p = e.next()) != null; ) {
        names.add(p.name());
        e.content().readAllBytes();
      }
    }
    assertThat(names)
        .contains("layerfs/etc/passwd", "layerfs/tmp/y")
        .allMatch(n -> !n.contains(".."));
  }

  @Test
  void nothingIsOpenedUntilTheFirstEntry() throws Exception {
    new LayerEntries(
            "l",
            "",
            List.of(),
            () -> {
              throw new AssertionError("opened");
            },
            (v, n) -> Map.of(),
            b -> {})
        .close();
  }
}
