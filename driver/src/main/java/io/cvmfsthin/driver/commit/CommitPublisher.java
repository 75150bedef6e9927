package io.cvmfsthin.driver.commit;

import io.cvmfsthin.thinimage.reference.Digest;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where layers committed above a thin image go (thin-image.md §6.3): a CernVM-FS repository that
 * this host's client also reads. Implementations serialise their own publishes.
 */
public interface CommitPublisher {
  /** The repository layers are published into. */
  String fqrn();

  /**
   * Publishes the uncompressed layer tar {@code tar} (OCI whiteouts) as the directory {@code path}
   * of the repository, unless something is there already. The tar is hashed again first: a file
   * that no longer matches {@code diffId} publishes nothing.
   *
   * @return whether a new revision was made
   */
  boolean publishIfAbsent(String path, Path tar, Digest diffId) throws IOException;
}
