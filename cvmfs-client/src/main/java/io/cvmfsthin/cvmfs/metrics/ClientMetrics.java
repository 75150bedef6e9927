package io.cvmfsthin.cvmfs.metrics;

/**
 * The process-wide metrics sink, made once by the application and given to every client through
 * {@link io.cvmfsthin.cvmfs.client.ClientSettings#metrics()}. {@link #NONE} records nothing.
 */
@FunctionalInterface
public interface ClientMetrics {
  /** Records nothing: the default when no metrics endpoint is configured. */
  ClientMetrics NONE = fqrn -> RepositoryMetrics.NONE;

  /** The sink for one repository's events (the same one for every call with the same name). */
  RepositoryMetrics repository(String fqrn);
}
