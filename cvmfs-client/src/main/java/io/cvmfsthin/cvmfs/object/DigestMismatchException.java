package io.cvmfsthin.cvmfs.object;

import java.io.IOException;

/** An object's bytes do not hash to its name. */
public final class DigestMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient ContentHash expected;
  private final transient ContentHash actual;

  public DigestMismatchException(String what, ContentHash expected, ContentHash actual) {
    super(
        what
            + ": content hash mismatch, expected "
            + expected
            + " but the bytes hash to "
            + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public ContentHash expected() {
    return expected;
  }

  public ContentHash actual() {
    return actual;
  }
}
