package io.cvmfsthin.driver.remote;

import java.io.IOException;
import java.util.List;

/**
 * A layer was not found in the repositories that answered, and some did not answer: whether they
 * hold it is unknown. Names the repositories; the first failure is the cause, the others are
 * suppressed.
 */
public final class RepositoryUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  private final List<String> repositories;

  RepositoryUnavailableException(String layer, List<String> repositories, IOException first) {
    super(
        "layer "
            + layer
            + ": not found in the repositories that answered, and "
            + (repositories.size() == 1 ? "repository " : "repositories ")
            + String.join(", ", repositories)
            + " could not be searched: "
            + first.getMessage(),
        first);
    this.repositories = List.copyOf(repositories);
  }

  /** The repositories that could not be searched, in configuration order. */
  public List<String> repositories() {
    return repositories;
  }
}
