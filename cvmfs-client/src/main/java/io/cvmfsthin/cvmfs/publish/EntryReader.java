package io.cvmfsthin.cvmfs.publish;

import java.io.IOException;
import java.io.InputStream;

/**
 * The entries of a tree to publish, in tar order: one pass, pulled by the publisher. After {@link
 * #next()} returned a regular file, {@link #content()} yields its bytes (the publisher reads
 * exactly its size, before it asks for the next entry). Lets a caller that decodes a tar itself (a
 * layer) publish from that one decoding pass instead of encoding a tar for the publisher to decode
 * again. Owned by the caller (not closed by the publisher).
 */
public interface EntryReader {
  /**
   * The next entry, or null at the end; throwing aborts the publication (nothing of it is
   * published).
   */
  PublishEntry next() throws IOException;

  /** The content of the regular file {@link #next()} returned last. */
  InputStream content();
}
