package io.cvmfsthin.thinimage.layer;

import io.cvmfsthin.thinimage.reference.Digest;
import java.io.IOException;

/** Bytes that do not hash to the digest (or have the size) their descriptor promised. */
public final class DigestMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Digest expected;
  private final transient Digest actual;

  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super(what + ": digest mismatch, expected " + expected + " but the bytes hash to " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public DigestMismatchException(String message) {
    super(message);
    this.expected = null;
    this.actual = null;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
