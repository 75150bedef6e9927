package io.cvmfsthin.cvmfs.manifest;

import java.io.IOException;

/** A manifest or whitelist that does not parse, naming the document and what is wrong. */
public final class ManifestFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public ManifestFormatException(String message) {
    super(message);
  }

  public ManifestFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
