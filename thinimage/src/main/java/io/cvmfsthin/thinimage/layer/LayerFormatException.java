package io.cvmfsthin.thinimage.layer;

import java.io.IOException;

/** A layer that cannot be used: unknown media type, unknown compression, truncated stream. */
public final class LayerFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public LayerFormatException(String message) {
    super(message);
  }

  public LayerFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
