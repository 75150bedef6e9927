package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.plugin.metrics.Metrics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatsCommandTest {

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void stats_nothingListening_saysWhatToStart() throws Exception {
    int port = freePort();
    Cli r = Cli.run("stats", "--address", "127.0.0.1:" + port);
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr())
        .contains("nothing listens at 127.0.0.1:" + port)
        .contains("METRICS_ADDRESS")
        .contains("--metrics-address");
  }

  @Test
  void stats_nonLoopbackAddress_isRefused() {
    Cli r = Cli.run("stats", "--address", "192.0.2.1:9723");
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr()).contains("--address '192.0.2.1:9723'", "not a loopback address");
  }

  @Test
  void stats_runningEndpoint_printsTables() throws Exception {
    int port = freePort();
    try (Metrics m = Metrics.start("127.0.0.1:" + port, "--metrics-address")) {
      m.client().repository("a.example.org").fetched("http://s/cvmfs/a.example.org", 2048, 1000);
      Cli r = Cli.run("stats", "--address", "127.0.0.1:" + port);
      assertThat(r.exit()).as(r.stderr()).isZero();
      String out = new String(r.stdout(), StandardCharsets.UTF_8);
      assertThat(out).contains("metrics at http://127.0.0.1:" + port + "/metrics", "Fetches");
      assertThat(out.lines().filter(l -> l.contains("http://s/cvmfs/a.example.org")))
          .singleElement()
          .asString()
          .containsSubsequence("a.example.org", "1", "2.0 KiB");
      Cli raw = Cli.run("stats", "--raw", "--address", "127.0.0.1:" + port);
      assertThat(new String(raw.stdout(), StandardCharsets.UTF_8))
          .contains("cvmfsthin_fetch_objects_total{");
    }
  }
}
