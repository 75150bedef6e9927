package io.cvmfsthin.cvmfs.prefetch;

import java.io.IOException;

/** A prefetch list that is not one: no {@code # cvmfs-thin prefetch v1} first line. */
public final class PrefetchListFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public PrefetchListFormatException(String message) {
    super(message);
  }
}
