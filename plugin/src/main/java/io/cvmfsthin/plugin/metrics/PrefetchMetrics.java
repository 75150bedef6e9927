package io.cvmfsthin.plugin.metrics;

/** What recorded prefetch reports: lists replayed and the files they fetched. */
public interface PrefetchMetrics {
  /** Records nothing. */
  PrefetchMetrics NONE = new PrefetchMetrics() {};

  /** A list began to be replayed. */
  default void listStarted() {}

  /** A replay ended: every file tried, or {@code stopped} early (its image stopped). */
  default void listEnded(boolean stopped) {}

  /**
   * A file of a list was handled: {@code outcome} is {@code fetched}, {@code missing} (not in the
   * revision), {@code failed} or {@code cancelled}.
   */
  default void fileEnded(String fqrn, String outcome) {}
}
