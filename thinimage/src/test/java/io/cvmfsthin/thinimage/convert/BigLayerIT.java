package io.cvmfsthin.thinimage.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 4 GiB layer (size: {@code -DbigLayer.gib=N}) converts in a child JVM whose heap is limited to
 * 512 MiB: the layer streams through, whatever its size. The layer is made as a stream (tar → gzip
 * → file, hashed on the way): files of 256 MiB whose 64 KiB blocks each carry their number, so the
 * blob stays small while every chunk is a distinct object through the real path (inflate, diff_id,
 * chunking, deflate, hashing). Needs nothing but time (about a minute of both cores).
 */
class BigLayerIT {
  private static final long FILE_BYTES = 256L << 20;
  private static final int BLOCK = 64 << 10;

  @TempDir Path dir;

  @Test
  void aFourGibLayer_convertsWithTheHeapLimitedTo512MiB() throws Exception {
    double gib = Double.parseDouble(System.getProperty("bigLayer.gib", "4"));
    int files = (int) Math.max(1, gib * (1L << 30) / FILE_BYTES);
    Path layout = dir.resolve("layout");
    writeLayout(layout, files);

    Path log = dir.resolve("child.log");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                BigLayerChild.class.getName(),
                dir.resolve("storage").toString(),
                dir.resolve("keys").toString(),
                "big.example.org",
                layout.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = child.waitFor(20, TimeUnit.MINUTES);
    if (!ended) {
      child.destroyForcibly().waitFor();
    }
    String out = Files.readString(log);
    assertThat(ended)
        .as("the conversion ended within 20 minutes; its log:\n%s", tail(out))
        .isTrue();
    assertThat(child.exitValue()).as("exit status; log:\n%s", tail(out)).isZero();
    assertThat(out)
        .contains("layers 1 new, 0 skipped")
        .contains((files + 1) + " files")
        .doesNotContain("OutOfMemoryError");
    // every 256 MiB file was cut into chunk objects: far more objects than files
    try (var objects = Files.walk(dir.resolve("storage/big.example.org/data"))) {
      assertThat(objects.filter(p -> p.toString().endsWith("P")).count())
          .isGreaterThan(files * 10L);
    }
  }

  private static String tail(String s) {
    return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
  }

  /** An OCI layout of one gzip layer: {@code files} files of 256 MiB under {@code data/}. */
  private static void writeLayout(Path layout, int files) throws Exception {
    Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
    Path tmp = layout.resolve("layer.tmp");
    MessageDigest blobDigest = MessageDigest.getInstance("SHA-256");
    MessageDigest tarDigest = MessageDigest.getInstance("SHA-256");
    try (OutputStream raw = Files.newOutputStream(tmp);
        DigestOutputStream blob = new DigestOutputStream(raw, blobDigest);
        GZIPOutputStream gz = new GZIPOutputStream(blob, 1 << 16);
        DigestOutputStream tarOut = new DigestOutputStream(gz, tarDigest);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(tarOut)) {
      TarArchiveEntry d = new TarArchiveEntry("data/", TarArchiveEntry.LF_DIR);
      d.setMode(040755);
      tar.putArchiveEntry(d);
      tar.closeArchiveEntry();
      byte[] block = new byte[BLOCK];
      for (int i = 0; i < files; i++) {
        TarArchiveEntry e = new TarArchiveEntry(String.format("data/f%04d.bin", i));
        e.setMode(0100644);
        e.setSize(FILE_BYTES);
        tar.putArchiveEntry(e);
        for (long b = 0; b < FILE_BYTES / BLOCK; b++) {
          java.util.Arrays.fill(block, (byte) 'x');
          byte[] head =
              String.format("file %06d block %09d%n", i, b).getBytes(StandardCharsets.US_ASCII);
          System.arraycopy(head, 0, block, 0, head.length);
          tar.write(block);
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
    String blobHex = HexFormat.of().formatHex(blobDigest.digest());
    long blobSize = Files.size(tmp);
    Files.move(tmp, blobs.resolve(blobHex));
    String diffId = "sha256:" + HexFormat.of().formatHex(tarDigest.digest());

    ObjectMapper json = new ObjectMapper();
    byte[] config =
        json.writeValueAsBytes(
            Map.of(
                "architecture",
                "amd64",
                "os",
                "linux",
                "config",
                Map.of("Cmd", List.of("/bin/sh")),
                "rootfs",
                Map.of("type", "layers", "diff_ids", List.of(diffId))));
    String configDigest = put(blobs, config);
    byte[] manifest =
        json.writeValueAsBytes(
            Map.of(
                "schemaVersion",
                2,
                "mediaType",
                "application/vnd.oci.image.manifest.v1+json",
                "config",
                Map.of(
                    "mediaType",
                    "application/vnd.oci.image.config.v1+json",
                    "digest",
                    configDigest,
                    "size",
                    config.length),
                "layers",
                List.of(
                    Map.of(
                        "mediaType",
                        "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest",
                        "sha256:" + blobHex,
                        "size",
                        blobSize))));
    String manifestDigest = put(blobs, manifest);
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    json.writeValue(
        layout.resolve("index.json").toFile(),
        Map.of(
            "schemaVersion",
            2,
            "manifests",
            List.of(
                Map.of(
                    "mediaType",
                    "application/vnd.oci.image.manifest.v1+json",
                    "digest",
                    manifestDigest,
                    "size",
                    manifest.length))));
  }

  private static String put(Path blobs, byte[] content) throws IOException {
    try {
      String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
      Files.write(blobs.resolve(hex), content);
      return "sha256:" + hex;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
