package io.cvmfsthin.cvmfs.object;

import java.io.IOException;

/** Inflating an object produced more bytes than allowed (a decompression bomb or a lie). */
public final class DecompressionLimitException extends IOException {
  private static final long serialVersionUID = 1L;

  public DecompressionLimitException(long limitBytes) {
    super("zlib stream inflates to more than " + limitBytes + " bytes; refusing it");
  }

  /** The same, naming the object: {@code what: more than N bytes ...}. */
  public DecompressionLimitException(String what, long limitBytes) {
    super(
        what
            + ": more than "
            + limitBytes
            + " bytes (inflated), more than the object may hold; refusing it (decompression bomb?)");
  }
}
