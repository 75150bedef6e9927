package io.cvmfsthin.thinimage.image;

import java.io.IOException;

/** A manifest, index or config that cannot be used: malformed, unsupported or inconsistent. */
public final class ImageFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public ImageFormatException(String message) {
    super(message);
  }

  public ImageFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
