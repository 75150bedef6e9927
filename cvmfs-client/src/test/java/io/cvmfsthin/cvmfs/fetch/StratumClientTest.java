package io.cvmfsthin.cvmfs.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.fetch.ProxyList.ProxyAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failover rules over file:// servers: no network needed. */
class StratumClientTest {
  static final FetchSettings FAST =
      new FetchSettings(
          Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ZERO, Duration.ZERO);

  static String text(java.io.InputStream in, String source) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  static StratumClient client(List<String> servers) {
    return new StratumClient(servers, List.of(List.of(ProxyAddress.DIRECT)), FAST);
  }

  static String server(Path dir, String content) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("doc"), content);
    return ServerList.parse(dir.toUri().toString(), "a.b").get(0); // no trailing '/'
  }

  @Test
  void missingFile_failsOverToTheNextServer_whichStaysCurrent(@TempDir Path tmp) throws Exception {
    Files.createDirectories(tmp.resolve("empty"));
    String empty = ServerList.parse(tmp.resolve("empty").toUri().toString(), "a.b").get(0);
    String full = server(tmp.resolve("full"), "hello");
    StratumClient c = client(List.of(empty, full));
    String got = c.fetch("doc", StratumClientTest::text);
    assertThat(got).isEqualTo("hello");
    assertThat(c.currentServer()).isEqualTo(full);
  }

  @Test
  void contentTheHandlerRefuses_triesTheNextServer(@TempDir Path tmp) throws Exception {
    StratumClient c =
        client(
            List.of(server(tmp.resolve("bad"), "<html>"), server(tmp.resolve("good"), "signed")));
    String got =
        c.fetch(
            "doc",
            (in, src) -> {
              String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
              if (s.startsWith("<")) {
                throw new IOException(src + ": HTML, not a signed document");
              }
              return s;
            });
    assertThat(got).isEqualTo("signed");
  }

  @Test
  void everyServerFailing_namesEachWithItsReason(@TempDir Path tmp) throws Exception {
    String a = server(tmp.resolve("a"), "x");
    String b = server(tmp.resolve("b"), "y");
    StratumClient c = client(List.of(a, b));
    assertThatThrownBy(
            () ->
                c.fetch(
                    "doc",
                    (in, src) -> {
                      throw new IOException(src + ": refused");
                    }))
        .isInstanceOf(FetchException.class)
        .hasMessageStartingWith("doc: ")
        .hasMessageContaining(a + "/doc: refused")
        .hasMessageContaining(b + "/doc: refused")
        .satisfies(e -> assertThat(((FetchException) e).failures()).hasSize(2));
  }

  @Test
  void afterTheHostResetTime_theFirstServerIsTriedAgain(@TempDir Path tmp) throws Exception {
    Path first = tmp.resolve("first");
    Files.createDirectories(first);
    String a = ServerList.parse(first.toUri().toString(), "a.b").get(0);
    String b = server(tmp.resolve("second"), "from the second");
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    Clock clock =
        new Clock() {
          @Override
          public Instant instant() {
            return now[0];
          }

          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }
        };
    FetchSettings reset =
        new FetchSettings(
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            0,
            Duration.ZERO,
            Duration.ZERO,
            Duration.ofSeconds(60),
            Duration.ofSeconds(60));
    StratumClient c =
        new StratumClient(List.of(a, b), List.of(List.of(ProxyAddress.DIRECT)), reset, clock);
    assertThat(c.fetch("doc", StratumClientTest::text)).isEqualTo("from the second");
    Files.writeString(first.resolve("doc"), "from the first");
    now[0] = now[0].plusSeconds(59);
    assertThat(c.fetch("doc", StratumClientTest::text)).isEqualTo("from the second");
    now[0] = now[0].plusSeconds(1);
    assertThat(c.fetch("doc", StratumClientTest::text)).isEqualTo("from the first");
    assertThat(c.currentServer()).isEqualTo(a);
  }

  @Test
  void failOver_movesToTheNextServer(@TempDir Path tmp) throws Exception {
    String a = server(tmp.resolve("a"), "x");
    String b = server(tmp.resolve("b"), "y");
    StratumClient c = client(List.of(a, b));
    c.failOver();
    String got = c.fetch("doc", StratumClientTest::text);
    assertThat(got).isEqualTo("y");
  }
}
