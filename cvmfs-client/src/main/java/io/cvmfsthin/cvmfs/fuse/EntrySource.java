package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** The repository as {@link RepositoryView} reads it; a {@code RepositoryClient} in production. */
interface EntrySource {
  /** The entry at a repository path, or empty if there is none. */
  Optional<DirectoryEntry> lookup(String path) throws IOException;

  /** The visible entries of a directory. */
  List<DirectoryEntry> list(String dir) throws IOException;

  /**
   * Every entry of a directory that {@link #lookup} finds, hidden ones included, so that a name not
   * among them is known to be absent; empty if this source cannot tell (then every name is looked
   * up).
   */
  default Optional<List<DirectoryEntry>> children(String dir) throws IOException {
    return Optional.empty();
  }

  /** A value that changes exactly when a new revision becomes current (the root catalog hash). */
  Object revisionKey();
}
