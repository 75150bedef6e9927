package io.cvmfsthin.thinimage.thin;

import java.io.IOException;

/** A {@code thin.json} that cannot be used; the message names the file and the field. */
public class ThinDescriptorException extends IOException {
  /** With a message naming the file, the field and what is wrong with it. */
  public ThinDescriptorException(String message) {
    super(message);
  }

  /** With a message and the parser's exception. */
  public ThinDescriptorException(String message, Throwable cause) {
    super(message, cause);
  }
}
