package io.cvmfsthin.cvmfs.metrics;

import java.util.function.LongSupplier;

/**
 * What one repository's client reports. Called on fetch and FUSE threads: implementations are
 * thread-safe, never block and never throw. Every method does nothing by default.
 */
public interface RepositoryMetrics {
  /** Records nothing. */
  RepositoryMetrics NONE = new RepositoryMetrics() {};

  /**
   * A file (manifest, whitelist, certificate, catalog, object or chunk) was fetched from {@code
   * server} (a base URL as configured): {@code bytes} as served, {@code nanos} from the request to
   * the end of the handled body.
   */
  default void fetched(String server, long bytes, long nanos) {}

  /** One request to {@code server} failed (the next server, if any, is tried). */
  default void serverFailed(String server) {}

  /** A fetch failed on every server. */
  default void fetchFailed() {}

  /** The current server moved from {@code fromServer} to {@code toServer}. */
  default void failedOver(String fromServer, String toServer) {}

  /** An object request was answered from the cache (or by a download already running). */
  default void cacheHit() {}

  /** An object request had to fetch. */
  default void cacheMiss() {}

  /** An object of {@code bytes} was evicted to keep the cache under its quota. */
  default void cacheEvicted(long bytes) {}

  /** The repository's cache was opened; {@code usedBytes} reads its size now. */
  default void cacheOpened(LongSupplier usedBytes, long quotaBytes) {}

  /** The cache was closed; its last size stays what {@code usedBytes} said then. */
  default void cacheClosed() {}

  /**
   * One FUSE request answered: {@code transport} as configured ({@code libfuse}, {@code kernel}),
   * {@code operation} in lower case ({@code getattr}, {@code read}, ...).
   */
  default void fuseCall(String transport, String operation, long nanos) {}

  /** The repository was mounted with FUSE. */
  default void mounted() {}

  /** The repository's FUSE mount ended. */
  default void unmounted() {}
}
