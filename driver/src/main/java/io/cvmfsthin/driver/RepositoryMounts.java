package io.cvmfsthin.driver;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
   * For a repository that {@link #isConfigured} refuses: what is missing and which setting gives
   * it, for the error a user sees. Empty when there is nothing more to say.
   */
  default String missingSettings(String fqrn) {
    return "";
  }

  /**
   * Mounts the repository if needed and adds a reference.
   *
   * @return the root under which {@code <path>} of a {@code cvmfs://fqrn/<path>} URL is the layer
   *     directory, in the form overlay can use as a lower dir
   */
  Path acquire(String fqrn) throws IOException;

  /** Drops a reference taken by {@link #acquire}; the last one may unmount. */
  void release(String fqrn);

  /**
   * A container of a thin image starts: layer {@code layerId} has just been mounted with the thin
   * image's real layers as its lower dirs. The implementation may replay the image's prefetch list
   * or record one (recorded prefetch); it must return at once and never throw. Nothing by default
   * (plain directories, tests).
   *
   * @param chainKey the image's {@link io.cvmfsthin.cvmfs.prefetch.ChainKey}
   * @param bottomFirst the image's real layers, bottom layer first
   */
  default void imageStarted(
      String layerId,
      String chainKey,
      List<io.cvmfsthin.cvmfs.prefetch.ChainKey.Layer> bottomFirst) {}

  /**
   * Layer {@code layerId}, announced by {@link #imageStarted}, is unmounted: its container stopped.
   * Must return at once and never throw. Nothing by default.
   */
  default void imageStopped(String layerId) {}

  /**
   * Asks for the repository's newest revision now (a client's {@code remount sync}); nothing for a
   * repository that is not mounted or for plain directories.
   */
  default void refresh(String fqrn) throws IOException {}

  /**
   * Waits until every path (relative to the repository root) is a directory in this host's view of
   * {@code fqrn}, as after a publish: refreshes and looks again every 250 ms, up to {@code
   * timeout}. Holds a reference on the repository while it waits.
   *
   * @throws IOException naming the repository and the first path still missing at the deadline
   */
  default void awaitVisible(String fqrn, List<String> paths, Duration timeout) throws IOException {
    Path root = acquire(fqrn);
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        refresh(fqrn);
        String missing = null;
        for (String p : paths) {
          if (!Files.isDirectory(root.resolve(p.replaceFirst("^/+", "")))) {
            missing = p;
            break;
          }
        }
        if (missing == null) {
          return;
        }
        if (System.nanoTime() >= deadline) {
          throw new IOException(
              "repository "
                  + fqrn
                  + ": "
                  + missing
                  + " was published but is not visible on this host after "
                  + timeout.toSeconds()
                  + " s (is CVMFS_SERVER_URL the stratum the publisher writes, with no stale"
                  + " proxy in between?)");
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("waiting for " + fqrn + " to show " + missing);
        }
      }
    } finally {
      release(fqrn);
    }
  }
}
