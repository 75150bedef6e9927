package io.cvmfsthin.thinimage.registry;

import java.time.Duration;

/**
 * How often and how patiently a registry request is retried after a transient failure (connection
 * refused or reset, timeouts, 408, 429, 500, 502, 503, 504): {@code attempts} in all, waiting
 * {@code firstDelay}, then twice as long each time.
 */
public record RetryPolicy(int attempts, Duration firstDelay) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(500));
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO);

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
  }

  Duration delayBefore(int attempt) {
    return firstDelay.multipliedBy(1L << Math.min(attempt - 2, 6));
  }

  static boolean isTransient(int status) {
    return status == 408
        || status == 429
        || status == 500
        || status == 502
        || status == 503
        || status == 504;
  }
}
