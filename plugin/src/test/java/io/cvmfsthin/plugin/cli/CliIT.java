package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ls} and {@code cat} against the stock-tool fixture served on loopback. */
class CliIT {
  static final Path FIXTURE = SharedFixtures.realRepo();
  static final String FQRN = "fixture.example.org";
  static HttpServer server;
  static String url;
  static String key = FIXTURE.resolve("keys").resolve(FQRN + ".pub").toString();

  @BeforeAll
  static void serve() throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Path root = FIXTURE.toAbsolutePath().normalize();
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            Path f = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!f.startsWith(root) || !Files.isRegularFile(f)) {
              ex.sendResponseHeaders(404, -1);
              return;
            }
            long size = Files.size(f);
            ex.sendResponseHeaders(200, size == 0 ? -1 : size);
            try (InputStream in = Files.newInputStream(f);
                OutputStream out = ex.getResponseBody()) {
              in.transferTo(out);
            }
          }
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/cvmfs/@fqrn@";
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  @Test
  void ls_printsALongListing(@TempDir Path cache) {
    Cli r = Cli.run("ls", "--url", url, "--key", key, "--cache", cache.toString(), FQRN, "/links");
    assertThat(r.stderr()).isEmpty();
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().toList())
        .containsExactly(
            "lrwxrwxrwx 0 0 37 2024-01-01 00:00:00 abs-link -> /cvmfs/fixture.example.org/README.txt",
            "lrwxrwxrwx 0 0 14 2024-01-01 00:00:00 dangling -> does-not-exist",
            "lrwxrwxrwx 0 0 6 2024-01-01 00:00:00 dir-link -> ../bin",
            "lrwxrwxrwx 0 0 13 2024-01-01 00:00:00 rel-link -> ../README.txt");
  }

  @Test
  void ls_ofAFileAtATag_printsItsLine(@TempDir Path cache) {
    Cli r =
        Cli.run(
            "ls",
            "--url",
            url,
            "--key",
            key,
            "--tag",
            "rev1",
            "--cache",
            cache.toString(),
            FQRN,
            "/README.txt");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("-rw-r--r-- 0 0 83 2020-01-02 03:04:05 /README.txt\n");
  }

  @Test
  void cat_writesTheVerifiedBytes_ofAChunkedFile() throws Exception {
    Cli r = Cli.run("cat", "--url", url, "--key", key, FQRN, "/data/random-hex-1.5MiB.txt");
    assertThat(r.exit()).isZero();
    assertThat(r.stdout()).hasSize(1572864);
    String sha256 =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.stdout()));
    String expected =
        Files.readAllLines(FIXTURE.resolve("expected").resolve(FQRN + "-rev3.tsv")).stream()
            .filter(l -> l.startsWith("data/random-hex-1.5MiB.txt\t"))
            .findFirst()
            .orElseThrow()
            .split("\t")[6];
    assertThat(sha256).isEqualTo(expected);
  }

  @Test
  void configFiles_areReadAndFlagsOverrideThem(@TempDir Path tmp) throws Exception {
    Path conf = tmp.resolve("site.conf");
    Files.writeString(
        conf,
        "CVMFS_SERVER_URL=http://127.0.0.1:1/nothing-here\nCVMFS_PUBLIC_KEY="
            + Path.of(key).toAbsolutePath()
            + "\nCVMFS_HTTP_PROXY=DIRECT\nCVMFS_CACHE_BASE="
            + tmp.resolve("cache")
            + "\n");
    Cli r = Cli.run("cat", "--config", conf.toString(), "--url", url, FQRN, "/empty.txt");
    assertThat(r.stderr()).isEmpty();
    assertThat(r.exit()).isZero();
    assertThat(r.stdout()).isEmpty();
    try (Stream<Path> s = Files.walk(tmp.resolve("cache"))) {
      assertThat(s.filter(Files::isRegularFile).toList()).isNotEmpty();
    }
  }

  @Test
  void badInput_failsWithOneLine_andLeavesNoTemporaryCache() throws Exception {
    List<Path> before = tempCaches();
    for (String[] args :
        List.of(
            new String[] {"cat", "--url", url, "--key", key, FQRN, "/nope"},
            new String[] {"cat", "--url", url, "--key", key, FQRN, "/bin"},
            new String[] {"ls", "--url", url, "--key", key, FQRN, "/README.txt/x"},
            new String[] {"ls", "--url", url, "--key", key, "a/../b", "/"},
            new String[] {"ls", "--url", url, "--key", key, "--tag", "nosuchtag", FQRN, "/"},
            new String[] {
              "cat",
              "--url",
              url,
              "--key",
              FIXTURE.resolve("keys/fixture-shake.example.org.pub").toString(),
              FQRN,
              "/README.txt"
            })) {
      Cli r = Cli.run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(r.stderr()).startsWith("error: ").endsWith("\n");
      assertThat(r.stderr().strip()).as(r.stderr()).doesNotContain("\n");
      assertThat(r.stdout()).isEmpty();
    }
    assertThat(tempCaches()).isEqualTo(before);
  }

  @Test
  void verbose_addsTheStackTrace() {
    Cli r = Cli.run("cat", "--verbose", "--url", url, "--key", key, FQRN, "/nope");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr()).contains("error: /nope: not in repository", "\tat ");
  }

  static List<Path> tempCaches() throws Exception {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("cvmfs-thin-cache-"))
          .sorted()
          .toList();
    }
  }
}
