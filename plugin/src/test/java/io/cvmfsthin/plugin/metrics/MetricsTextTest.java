package io.cvmfsthin.plugin.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.plugin.metrics.MetricsText.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTextTest {

  @Test
  void parse_samplesWithLabelsEscapesAndSpecialValues() {
    String text =
        String.join(
            "\n",
            "# HELP a_total Things",
            "# TYPE a_total counter",
            "a_total{repository=\"r.example.org\",server=\"http://h:1/cvmfs/r\"} 12.0",
            "b 3",
            "c{path=\"a\\\"b\\\\c\\nd\", le=\"+Inf\"} +Inf 1700000000000",
            "d{} NaN",
            "e -Inf",
            "f{x=\"1\",} 1.5e-05",
            "");
    List<Sample> s = MetricsText.parse(text);
    assertThat(s).extracting(Sample::name).containsExactly("a_total", "b", "c", "d", "e", "f");
    assertThat(s.get(0).labels())
        .isEqualTo(Map.of("repository", "r.example.org", "server", "http://h:1/cvmfs/r"));
    assertThat(s.get(0).value()).isEqualTo(12.0);
    assertThat(s.get(2).label("path")).isEqualTo("a\"b\\c\nd");
    assertThat(s.get(2).value()).isInfinite();
    assertThat(s.get(3).value()).isNaN();
    assertThat(s.get(4).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(s.get(5).value()).isEqualTo(1.5e-5);
  }

  @Test
  void parse_lineWithoutValue_isRejectedNamingTheLine() {
    assertThatThrownBy(() -> MetricsText.parse("# ok\na 1\nb{x=\"1\"}\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metrics line 3")
        .hasMessageContaining("b{x=\"1\"}");
  }

  @Test
  void parse_unterminatedLabel_isRejected() {
    assertThatThrownBy(() -> MetricsText.parse("a{x=\"1} 2\n"))
        .hasMessageContaining("metrics line 1")
        .hasMessageContaining("unterminated");
  }

  @Test
  void parse_valueNotANumber_isRejected() {
    assertThatThrownBy(() -> MetricsText.parse("a twelve\n"))
        .hasMessageContaining("'twelve' is not a number");
  }
}
