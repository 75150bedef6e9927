package io.cvmfsthin.cvmfs.fetch;

import java.time.Duration;

/**
 * Timeouts and retries of a {@link StratumClient} (spec §10.6).
 *
 * @param connectTimeout {@code CVMFS_TIMEOUT} (with a proxy) / {@code CVMFS_TIMEOUT_DIRECT}
 * @param readTimeout longest wait for the next bytes of an answer
 * @param maxRetries {@code CVMFS_MAX_RETRIES}: same-URL retries after a transfer error
 * @param backoffInit {@code CVMFS_BACKOFF_INIT}: the first delay is uniform in [0, this]
 * @param backoffMax {@code CVMFS_BACKOFF_MAX}: the doubled delay is capped here
 * @param hostResetAfter {@code CVMFS_HOST_RESET_AFTER}: back to the first server this long after a
 *     failover; zero for never
 * @param proxyResetAfter {@code CVMFS_PROXY_RESET_AFTER}: back to the first proxy group likewise
 */
public record FetchSettings(
    Duration connectTimeout,
    Duration readTimeout,
    int maxRetries,
    Duration backoffInit,
    Duration backoffMax,
    Duration hostResetAfter,
    Duration proxyResetAfter) {

  /**
   * The stock client's defaults: 10 s timeouts, 1 retry, backoff 2 s doubling up to 10 s, back to
   * the first server after 1800 s and to the first proxy group after 300 s.
   */
  public static final FetchSettings DEFAULTS =
      new FetchSettings(
          Duration.ofSeconds(10),
          Duration.ofSeconds(10),
          1,
          Duration.ofSeconds(2),
          Duration.ofSeconds(10));

  public FetchSettings {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries < 0: " + maxRetries);
    }
  }

  /** With the stock reset times: 1800 s for servers, 300 s for proxy groups. */
  public FetchSettings(
      Duration connectTimeout,
      Duration readTimeout,
      int maxRetries,
      Duration backoffInit,
      Duration backoffMax) {
    this(
        connectTimeout,
        readTimeout,
        maxRetries,
        backoffInit,
        backoffMax,
        Duration.ofSeconds(1800),
        Duration.ofSeconds(300));
  }
}
