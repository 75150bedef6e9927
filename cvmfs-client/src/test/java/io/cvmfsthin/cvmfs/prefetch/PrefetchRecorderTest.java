package io.cvmfsthin.cvmfs.prefetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefetchRecorderTest {
  private static final String A = "/.layers/ab/ab12/layerfs";
  private static final String B = "/.layers/cd/cd34/layerfs";
  private static final LayerDirs DIRS =
      new LayerDirs(
          List.of(
              new ChainKey.Layer("r.example.org", A.substring(1)),
              new ChainKey.Layer("s.example.org", B)));

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-12-02T12:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void opened_recordsPathsBelowTheLayers_onceEach_inOrderOfFirstOpen() {
    PrefetchRecorder r = new PrefetchRecorder(DIRS, 100, Duration.ofSeconds(60), new MovingClock());
    assertThat(r.opened("r.example.org", A + "/usr/bin/sh")).isTrue();
    assertThat(r.opened("s.example.org", B + "/etc/passwd")).isTrue();
    assertThat(r.opened("r.example.org", A + "/usr/bin/sh")).isFalse();
    assertThat(r.opened("r.example.org", A + "/etc/hosts")).isTrue();
    assertThat(r.list().paths())
        .containsExactly(A + "/usr/bin/sh", B + "/etc/passwd", A + "/etc/hosts");
  }

  @Test
  void opened_ignoresPathsOutsideTheImage() {
    PrefetchRecorder r = new PrefetchRecorder(DIRS, 100, Duration.ofSeconds(60), new MovingClock());
    assertThat(r.opened("r.example.org", "/.prefetch/ab/x/list")).isFalse();
    assertThat(r.opened("r.example.org", A)).as("the layer dir itself").isFalse();
    assertThat(r.opened("r.example.org", A + "x/file"))
        .as("a sibling with a longer name")
        .isFalse();
    assertThat(r.opened("r.example.org", B + "/etc/passwd")).as("other repository").isFalse();
    assertThat(r.opened("other.example.org", A + "/f")).isFalse();
    assertThat(r.list().paths()).isEmpty();
  }

  @Test
  void opened_stopsAtTheFileLimit() {
    PrefetchRecorder r = new PrefetchRecorder(DIRS, 2, Duration.ofSeconds(60), new MovingClock());
    r.opened("r.example.org", A + "/1");
    r.opened("r.example.org", A + "/2");
    assertThat(r.isComplete()).isTrue();
    assertThat(r.opened("r.example.org", A + "/3")).isFalse();
    assertThat(r.list().paths()).containsExactly(A + "/1", A + "/2");
  }

  @Test
  void opened_stopsAtTheTimeLimit() {
    MovingClock clock = new MovingClock();
    PrefetchRecorder r = new PrefetchRecorder(DIRS, 100, Duration.ofSeconds(60), clock);
    r.opened("r.example.org", A + "/early");
    clock.now = clock.now.plusSeconds(59);
    assertThat(r.isComplete()).isFalse();
    clock.now = clock.now.plusSeconds(1);
    assertThat(r.isComplete()).isTrue();
    assertThat(r.opened("r.example.org", A + "/late")).isFalse();
    assertThat(r.list().paths()).containsExactly(A + "/early");
  }

  @Test
  void limits_outOfRange_areRejected() {
    assertThatThrownBy(
            () -> new PrefetchRecorder(DIRS, 0, Duration.ofSeconds(1), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("files to record: 0");
    assertThatThrownBy(
            () -> new PrefetchRecorder(DIRS, 1_000_000, Duration.ofSeconds(1), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("100000");
    assertThatThrownBy(() -> new PrefetchRecorder(DIRS, 5, Duration.ZERO, Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("time to record");
  }
}
