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

  /** A value that changes exactly when a new revision becomes current (the root catalog hash). */
  Object revisionKey();
}
