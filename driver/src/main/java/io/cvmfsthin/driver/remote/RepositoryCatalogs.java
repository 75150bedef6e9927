package io.cvmfsthin.driver.remote;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import java.io.IOException;
import java.util.Optional;

/**
 * What {@link RemoteLayerIndex} needs from CVMFS: the kind of entry at a path of a repository's
 * current revision, read from its catalogs. The owner of the index closes it through the index.
 */
public interface RepositoryCatalogs extends AutoCloseable {
  /**
   * The kind of the entry at {@code path} (absolute in the repository, e.g. {@code /.layers/ab}).
   *
   * @return empty if the repository has no such entry
   * @throws IOException if the repository cannot be reached, verified or read, naming it
   */
  Optional<EntryKind> kind(String fqrn, String path) throws IOException;

  /** Releases clients and caches; nothing by default. */
  @Override
  default void close() {}
}
