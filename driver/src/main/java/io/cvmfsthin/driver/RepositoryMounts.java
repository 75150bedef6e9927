package io.cvmfsthin.driver;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the driver needs from the CVMFS client: repository mounts, reference counted. The real
 * implementation (a FUSE mount per repository, in the layer view of thin-image.md §4.4, where
 * whiteouts appear as overlay expects them) lives outside the driver; tests use plain directories.
 */
public interface RepositoryMounts {
  /** No repository configured: thin layers are refused, ordinary layers work. */
  RepositoryMounts NONE =
      new RepositoryMounts() {
        @Override
        public boolean isConfigured(String fqrn) {
          return false;
        }

        @Override
        public Path acquire(String fqrn) throws IOException {
          throw new IOException("repository " + fqrn + " is not configured");
        }

        @Override
        public void release(String fqrn) {}
      };

  /** Whether {@code fqrn} is configured locally (key and server known). */
  boolean isConfigured(String fqrn);

  /**
   * Mounts the repository if needed and adds a reference.
   *
   * @return the root under which {@code <path>} of a {@code cvmfs://fqrn/<path>} URL is the layer
   *     directory, in the form overlay can use as a lower dir
   */
  Path acquire(String fqrn) throws IOException;

  /** Drops a reference taken by {@link #acquire}; the last one may unmount. */
  void release(String fqrn);
}
