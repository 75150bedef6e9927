package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.plugin.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The convert command on a {@code docker save} tarball, without a registry ({@code --no-push}). */
class ConvertCommandIT {
  @TempDir Path dir;

  @Test
  void convert_unreachableRegistry_createsNothing() throws Exception {
    // a loopback port nothing listens on: the registry is unreachable
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path storage = dir.resolve("storage");
    Path keys = dir.resolve("keys");
    Cli cli =
        Cli.run(
            "convert",
            "127.0.0.1:" + port + "/demo/app:1",
            "--storage",
            storage.toString(),
            "--keys",
            keys.toString(),
            "--fqrn",
            "x.example.org",
            "--no-push");

    assertThat(cli.exit()).isNotZero();
    assertThat(cli.stderr()).contains("127.0.0.1:" + port).doesNotContain("created repository");
    assertThat(storage).doesNotExist();
    assertThat(keys).doesNotExist();
  }

  @Test
  void convert_unreadableArchive_createsNothing() throws Exception {
    Path tarball = dir.resolve("broken.tar");
    Files.write(tarball, "not a tar at all".getBytes(StandardCharsets.UTF_8));
    Path storage = dir.resolve("storage");
    Cli cli =
        Cli.run(
            "convert",
            tarball.toString(),
            "--storage",
            storage.toString(),
            "--keys",
            dir.resolve("keys").toString(),
            "--fqrn",
            "x.example.org",
            "--no-push");

    assertThat(cli.exit()).isNotZero();
    assertThat(storage).doesNotExist();
    assertThat(dir.resolve("keys")).doesNotExist();
  }

  @Test
  void convert_dockerSave_noPush_fillsTheRepositoryAndPrintsASummary() throws Exception {
    byte[] layer = tar(Map.of("hello.txt", "hello".getBytes(StandardCharsets.UTF_8)));
    String diffId = "sha256:" + sha256(layer);
    byte[] config =
        new ObjectMapper()
            .writeValueAsBytes(
                Map.of(
                    "architecture",
                    "amd64",
                    "os",
                    "linux",
                    "config",
                    Map.of("Cmd", List.of("/hello")),
                    "rootfs",
                    Map.of("type", "layers", "diff_ids", List.of(diffId))));
    byte[] manifest =
        new ObjectMapper()
            .writeValueAsBytes(
                List.of(
                    Map.of(
                        "Config", "config.json",
                        "RepoTags", List.of("example.org/demo/app:1"),
                        "Layers", List.of("l1/layer.tar"))));
    Path tarball = dir.resolve("image.tar");
    Files.write(
        tarball,
        tar(Map.of("manifest.json", manifest, "config.json", config, "l1/layer.tar", layer)));

    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int status;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      status =
          Main.run(
              "convert",
              tarball.toString(),
              "--storage",
              dir.resolve("storage").toString(),
              "--keys",
              dir.resolve("keys").toString(),
              "--fqrn",
              "cli.example.org",
              "--no-push");
    } finally {
      System.setOut(original);
    }

    assertThat(status).isZero();
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("layers 1 new, 0 skipped")
        .contains("(not pushed)");
    assertThat(dir.resolve("storage/cli.example.org/.cvmfspublished")).exists();
  }

  @Test
  void convert_withoutRequiredOptions_failsWithUsage() {
    assertThat(Main.run("convert", "example.org/a:b")).isNotZero();
  }

  private static byte[] tar(Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = bytes;
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (Map.Entry<String, byte[]> f : new java.util.TreeMap<>(files).entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setSize(f.getValue().length);
        tar.putArchiveEntry(e);
        tar.write(f.getValue());
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
