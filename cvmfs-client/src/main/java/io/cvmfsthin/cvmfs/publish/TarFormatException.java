package io.cvmfsthin.cvmfs.publish;

import java.io.IOException;

/**
 * A tar stream the publisher refuses: unreadable, or an entry that is hostile (absolute name,
 * {@code ..}, a link leaving the published tree, a path through a non-directory) or of an
 * unsupported type. The message names the entry.
 */
public final class TarFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public TarFormatException(String message) {
    super(message);
  }

  public TarFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
