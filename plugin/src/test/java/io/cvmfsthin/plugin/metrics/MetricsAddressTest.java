package io.cvmfsthin.plugin.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsAddressTest {

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:9723, 127.0.0.1:9723",
    "' 127.0.0.1:1 ', 127.0.0.1:1",
    "127.0.0.53:65535, 127.0.0.53:65535",
    "[::1]:9723, [0:0:0:0:0:0:0:1]:9723",
  })
  void parse_loopbackHostAndPort_isAccepted(String text, String shown) {
    assertThat(MetricsAddress.parse(text, "METRICS_ADDRESS")).hasToString(shown);
  }

  @ParameterizedTest
  @CsvSource({
    "0.0.0.0:9723, not a loopback address",
    "192.0.2.7:9723, not a loopback address",
    "[2001:db8::1]:9723, not a loopback address",
    "9723, expected HOST:PORT",
    "127.0.0.1:, expected HOST:PORT",
    ":9723, expected HOST:PORT",
    "127.0.0.1:http, the port is not a number",
    "127.0.0.1:0, the port must be 1..65535",
    "127.0.0.1:70000, the port must be 1..65535",
    "::1:9723, in brackets",
  })
  void parse_badAddress_isRefusedNamingSettingAndValue(String text, String why) {
    assertThatThrownBy(() -> MetricsAddress.parse(text, "METRICS_ADDRESS"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("METRICS_ADDRESS '" + text + "'")
        .hasMessageContaining(why);
  }

  @ParameterizedTest
  @CsvSource({"'', true", "'  ', true"})
  void start_withoutAddress_isOffAndListensNowhere(String text, boolean unused) throws Exception {
    try (Metrics m = Metrics.start(text, "METRICS_ADDRESS")) {
      assertThat(m.enabled()).isFalse();
      assertThat(m.client()).isSameAs(io.cvmfsthin.cvmfs.metrics.ClientMetrics.NONE);
    }
  }
}
