package io.cvmfsthin.cvmfs.fetch;

import java.io.IOException;
import java.util.List;

/** Every server failed for one request; the message lists each server's reason. */
public final class FetchException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> failures;

  public FetchException(String path, List<String> failures, Throwable lastCause) {
    super(path + ": " + String.join("; ", failures), lastCause);
    this.failures = List.copyOf(failures);
  }

  /** One {@code url: reason} per server tried, in order. */
  public List<String> failures() {
    return failures;
  }
}
