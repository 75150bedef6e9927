package io.cvmfsthin.cvmfs.cache;

import java.io.IOException;

/** An object inflated to another size than the catalog records for it. */
public final class ObjectSizeException extends IOException {
  private static final long serialVersionUID = 1L;

  public ObjectSizeException(String what, long expectedBytes, long actualBytes) {
    super(
        what
            + ": inflates to "
            + actualBytes
            + " bytes, the catalog says "
            + expectedBytes
            + " (truncated or wrong object)");
  }
}
