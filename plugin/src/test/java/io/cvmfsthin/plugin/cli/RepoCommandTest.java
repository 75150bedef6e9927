package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.manifest.SignedDocument;
import io.cvmfsthin.cvmfs.manifest.Whitelist;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code repo create|publish|resign} through {@link io.cvmfsthin.plugin.Main#run}. */
class RepoCommandTest {
  static final String FQRN = "cli.example.org";

  @ParameterizedTest
  @ValueSource(strings = {"repo", "repo create", "repo publish", "repo resign"})
  void help_isPrintedForEveryCommand(String command) {
    Cli r = Cli.run((command + " --help").split(" "));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage:").contains(command.substring(command.indexOf(' ') + 1));
  }

  @Test
  void createPublishResign_endToEnd(@TempDir Path tmp) throws Exception {
    String storage = tmp.resolve("srv").toString();
    String keys = tmp.resolve("keys").toString();
    Cli c =
        Cli.run(
            "repo",
            "create",
            "--storage",
            storage,
            "--keys",
            keys,
            FQRN,
            "--chunk-sizes",
            "65536,131072,262144");
    assertThat(c.exit()).as(c.stderr()).isZero();
    assertThat(c.out()).contains("created " + FQRN);
    for (String suffix : new String[] {".masterkey", ".pub", ".key", ".crt"}) {
      assertThat(Path.of(keys, FQRN + suffix)).isRegularFile();
    }
    assertThat(Path.of(storage, FQRN, ".cvmfspublished")).isRegularFile();
    assertThat(Path.of(storage, FQRN, "data", "ff")).isDirectory();
    assertThat(Path.of(storage, FQRN, "data", "txn")).isDirectory();

    Path dir = Files.createDirectories(tmp.resolve("src/sub"));
    Files.writeString(dir.resolve("f.txt"), "from a directory");
    Cli p =
        Cli.run(
            "repo",
            "publish",
            "--storage",
            storage,
            "--keys",
            keys,
            FQRN,
            tmp.resolve("src").toString());
    assertThat(p.exit()).as(p.stderr()).isZero();
    assertThat(p.out()).contains("revision 1");

    Path tar = tmp.resolve("in.tar");
    Files.write(tar, tar("hello.txt", "from a tar"));
    Cli t =
        Cli.run(
            "repo",
            "publish",
            "--storage",
            storage,
            "--keys",
            keys,
            FQRN,
            tar.toString(),
            "--at",
            "/layer",
            "--nested-catalog");
    assertThat(t.exit()).as(t.stderr()).isZero();
    assertThat(t.out()).contains("revision 2 at /layer");

    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream(tar("stdin.txt", "from stdin")));
      Cli s =
          Cli.run(
              "repo", "publish", "--storage", storage, "--keys", keys, FQRN, "-", "--at", "/in");
      assertThat(s.exit()).as(s.stderr()).isZero();
    } finally {
      System.setIn(stdin);
    }
    Cli again =
        Cli.run(
            "repo",
            "publish",
            "--storage",
            storage,
            "--keys",
            keys,
            FQRN,
            tar.toString(),
            "--at",
            "/layer",
            "--if-absent");
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("exists already");
    Manifest m = RepositoryPublisher.open(Path.of(storage), Path.of(keys), FQRN).manifest();
    assertThat(m.revision()).isEqualTo(3);

    Cli r = Cli.run("repo", "resign", "--storage", storage, "--keys", keys, FQRN, "--days", "7");
    assertThat(r.exit()).as(r.stderr()).isZero();
    byte[] wl = Files.readAllBytes(Path.of(storage, FQRN, ".cvmfswhitelist"));
    Whitelist w = Whitelist.parse(SignedDocument.parse("w", wl).body());
    assertThat(w.expires()).isBefore(Instant.now().plus(Duration.ofDays(8)));
  }

  @Test
  void badInput_givesOneLineErrorsAndNonZeroExits(@TempDir Path tmp) throws Exception {
    String storage = tmp.resolve("srv").toString();
    String keys = tmp.resolve("keys").toString();
    Cli bad = Cli.run("repo", "create", "--storage", storage, "--keys", keys, "no-dot");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.stderr().strip())
        .startsWith("error: bad repository name 'no-dot'")
        .doesNotContain("\n");
    assertThat(tmp.resolve("srv")).doesNotExist();

    assertThat(Cli.run("repo", "create", "--storage", storage, "--keys", keys, FQRN).exit())
        .isZero();
    Cli twice = Cli.run("repo", "create", "--storage", storage, "--keys", keys, FQRN);
    assertThat(twice.exit()).isNotZero();
    assertThat(twice.stderr()).contains("exists already").doesNotContain("\tat ");

    Path tar = tmp.resolve("evil.tar");
    Files.write(tar, hardLinkTar("evil", "../../etc/shadow"));
    Cli evil =
        Cli.run("repo", "publish", "--storage", storage, "--keys", keys, FQRN, tar.toString());
    assertThat(evil.exit()).isNotZero();
    assertThat(evil.stderr().strip()).contains("'evil'").doesNotContain("\n");

    Cli missing =
        Cli.run(
            "repo",
            "publish",
            "--storage",
            storage,
            "--keys",
            tmp.toString(),
            FQRN,
            tar.toString());
    assertThat(missing.exit()).isNotZero();
    assertThat(missing.stderr()).contains("missing key file");

    Cli verbose =
        Cli.run(
            "--verbose",
            "repo",
            "publish",
            "--storage",
            storage,
            "--keys",
            keys,
            FQRN,
            tar.toString());
    assertThat(verbose.stderr()).contains("\tat ");

    Cli noArgs = Cli.run("repo", "publish", "--storage", storage);
    assertThat(noArgs.exit()).isNotZero();
    assertThat(noArgs.stderr()).startsWith("error: ");
  }

  static byte[] tar(String name, String content) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      byte[] data = content.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setSize(data.length);
      e.setMode(0100644);
      out.putArchiveEntry(e);
      out.write(data);
      out.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  /** A tar whose only entry is a hard link to a file that is not in it. */
  static byte[] hardLinkTar(String name, String target) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
      e.setLinkName(target);
      e.setMode(0100644);
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }
}
