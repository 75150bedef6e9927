package io.cvmfsthin.cvmfs.fetch;

import java.io.IOException;
import java.io.InputStream;

/**
 * Consumes the body of a successful answer. An {@link IOException} it throws means the server sent
 * bad content (or the transfer broke) and makes the client try the next server.
 */
@FunctionalInterface
public interface BodyHandler<T> {
  /**
   * @param body the body, ending early with an {@code EOFException} if shorter than announced
   * @param source the URL it came from, for messages
   */
  T handle(InputStream body, String source) throws IOException;
}
