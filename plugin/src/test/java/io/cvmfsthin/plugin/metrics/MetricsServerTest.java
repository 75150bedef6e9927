package io.cvmfsthin.plugin.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The endpoint on a loopback port: the text format at /metrics, nothing elsewhere. */
class MetricsServerTest {

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static HttpURLConnection get(String url) throws IOException {
    return (HttpURLConnection) URI.create(url).toURL().openConnection(java.net.Proxy.NO_PROXY);
  }

  @Test
  void metrics_servesTheRegistryAsText_andRefusesOtherPaths() throws Exception {
    int port = freePort();
    try (Metrics m = Metrics.start("127.0.0.1:" + port, "--metrics-address")) {
      m.client().repository("a.example.org").cacheHit();
      HttpURLConnection c = get("http://127.0.0.1:" + port + "/metrics");
      assertThat(c.getResponseCode()).isEqualTo(200);
      assertThat(c.getContentType()).startsWith("text/plain; version=0.0.4");
      String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(body).contains("cvmfsthin_cache_hits_total{repository=\"a.example.org\"} 1");
      assertThat(get("http://127.0.0.1:" + port + "/").getResponseCode()).isEqualTo(404);
      HttpURLConnection post = get("http://127.0.0.1:" + port + "/metrics");
      post.setRequestMethod("POST");
      assertThat(post.getResponseCode()).isEqualTo(405);
    }
    assertThatThrownBy(() -> get("http://127.0.0.1:" + port + "/metrics").getResponseCode())
        .as("closed with its command")
        .isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void start_portInUse_failsNamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      assertThatThrownBy(() -> Metrics.start(address, "--metrics-address"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("metrics endpoint " + address)
          .hasMessageContaining("cannot listen");
    }
  }

  @Test
  void start_nonLoopbackAddress_isRefusedBeforeBinding() {
    assertThatThrownBy(() -> Metrics.start("0.0.0.0:9723", "METRICS_ADDRESS"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("METRICS_ADDRESS '0.0.0.0:9723'")
        .hasMessageContaining("not a loopback address");
  }
}
