package io.cvmfsthin.thinimage.convert;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The converter's view of the CernVM-FS repository it fills: look at the current revision, publish
 * a tar at a path. Paths are repository paths ({@code /.layers/ab}).
 */
public interface LayerRepository extends AutoCloseable {
  String fqrn();

  /** The current revision number. */
  long revision() throws IOException;

  /** Whether anything exists at {@code path} in the current revision. */
  boolean exists(String path) throws IOException;

  /** The content of the regular file at {@code path}, if there is one. */
  Optional<byte[]> read(String path) throws IOException;

  /**
   * Publishes the tar (read to its end) as the directory {@code path}, in one new revision.
   *
   * @param nestedCatalog make {@code path} a nested catalog
   * @param onlyIfAbsent do nothing (and read nothing) if {@code path} exists
   * @return whether a revision was made
   */
  boolean publish(String path, InputStream tar, boolean nestedCatalog, boolean onlyIfAbsent)
      throws IOException;

  /** Bytes of all objects stored, for the summary's "stored" figure. */
  long storedBytes() throws IOException;

  @Override
  void close() throws IOException;
}
