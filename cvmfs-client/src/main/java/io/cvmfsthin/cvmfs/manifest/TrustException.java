package io.cvmfsthin.cvmfs.manifest;

import java.io.IOException;

/**
 * The trust chain is broken: a bad signature, an expired whitelist, a certificate not listed, a
 * manifest for another repository or an older revision. The message names the file and reason.
 */
public final class TrustException extends IOException {
  private static final long serialVersionUID = 1L;

  public TrustException(String message) {
    super(message);
  }

  public TrustException(String message, Throwable cause) {
    super(message, cause);
  }
}
