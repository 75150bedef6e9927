package io.cvmfsthin.cvmfs.tar;

import java.io.IOException;

/**
 * A tar stream that is malformed or hostile, for every reader of tar in the project (the publisher,
 * the driver's layer extraction): unreadable, a NUL in a name, a write through a symlink, a hard
 * link to a missing file or a directory, or an unsupported entry type. The message names the entry.
 */
public final class TarFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** With a message naming the entry and what is wrong with it. */
  public TarFormatException(String message) {
    super(message);
  }

  /** With a message and the cause. */
  public TarFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
