package io.cvmfsthin.thinimage.registry;

import java.io.IOException;

/**
 * A registry answered with an error: the HTTP status and, when it sent one, the registry's error
 * code ({@code MANIFEST_UNKNOWN}, {@code UNAUTHORIZED}, ...).
 */
public final class RegistryException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public RegistryException(String message, int status, String code) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public RegistryException(String message, int status, String code, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
  }

  /** HTTP status, or 0 if no answer was had. */
  public int status() {
    return status;
  }

  /** The registry's error code, or {@code null}. */
  public String code() {
    return code;
  }
}
