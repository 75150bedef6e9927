package io.cvmfsthin.cvmfs.fuse;

/**
 * Told of every successful open of a regular file through a mount (recorded prefetch listens).
 * Called on a FUSE worker thread for each open: it must return quickly and never throw.
 */
@FunctionalInterface
public interface OpenListener {
  /** Listens to nothing. */
  OpenListener NONE = (fqrn, path) -> {};

  /**
   * @param fqrn the repository
   * @param path the repository path opened, {@code /a/b}
   */
  void opened(String fqrn, String path);
}
