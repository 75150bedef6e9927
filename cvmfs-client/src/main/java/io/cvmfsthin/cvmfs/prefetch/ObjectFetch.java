package io.cvmfsthin.cvmfs.prefetch;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches the content of one file into the object cache, in the background: what {@link Prefetcher}
 * needs from a repository client. The fetch goes through the same cache as reads, so a read of an
 * object in flight waits for that fetch rather than starting a second one.
 */
@FunctionalInterface
public interface ObjectFetch {
  /**
   * Starts fetching the objects of the regular file {@code path} of repository {@code fqrn};
   * returns at once. The future completes when they are cached; it fails with a {@link
   * java.nio.file.NoSuchFileException} if there is no such regular file, and cancelling it stops
   * work that has not started yet (a request in flight finishes).
   */
  CompletableFuture<?> fetchFile(String fqrn, String path);

  /** Dispatches by repository; a repository without an entry fails the fetch. */
  static ObjectFetch byRepository(Map<String, ObjectFetch> fetches) {
    Map<String, ObjectFetch> copy = Map.copyOf(fetches);
    return (fqrn, path) -> {
      ObjectFetch f = copy.get(fqrn);
      if (f == null) {
        return CompletableFuture.failedFuture(
            new java.nio.file.NoSuchFileException(path, null, "repository " + fqrn + " not held"));
      }
      return f.fetchFile(fqrn, path);
    };
  }
}
