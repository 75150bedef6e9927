package io.cvmfsthin.driver.archive;

import java.io.IOException;

/** A layer tar that is malformed or hostile; the message names the entry. */
public class TarFormatException extends IOException {
  /** With a message naming the entry and what is wrong with it. */
  public TarFormatException(String message) {
    super(message);
  }

  /** With a message and the cause. */
  public TarFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
