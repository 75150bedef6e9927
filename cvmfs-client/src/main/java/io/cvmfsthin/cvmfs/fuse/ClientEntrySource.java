package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.DirectoryListing;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;

/** The {@link EntrySource} of a mounted repository: its client's current revision. */
final class ClientEntrySource implements EntrySource {
  private final RepositoryClient client;

  ClientEntrySource(RepositoryClient client) {
    this.client = client;
  }

  @Override
  public Optional<DirectoryEntry> lookup(String path) throws IOException {
    try {
      return Optional.of(client.lookup(path));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<DirectoryEntry> list(String dir) throws IOException {
    return client.list(dir);
  }

  /** Complete when the client passes on its catalog's {@link DirectoryListing}, as it does now. */
  @Override
  public Optional<List<DirectoryEntry>> children(String dir) throws IOException {
    return client.list(dir) instanceof DirectoryListing l ? Optional.of(l.all()) : Optional.empty();
  }

  @Override
  public Object revisionKey() {
    return client.rootCatalog();
  }
}
