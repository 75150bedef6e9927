package io.cvmfsthin.thinimage.image;

import java.util.List;

/**
 * A container health check, as in the image config (durations in nanoseconds, 0 = inherit).
 *
 * @param test e.g. {@code ["CMD-SHELL", "curl -f http://localhost/"]}, or {@code ["NONE"]}
 */
public record Healthcheck(
    List<String> test,
    long intervalNanos,
    long timeoutNanos,
    long startPeriodNanos,
    long startIntervalNanos,
    int retries) {
  public Healthcheck {
    test = test == null ? null : List.copyOf(test);
  }
}
