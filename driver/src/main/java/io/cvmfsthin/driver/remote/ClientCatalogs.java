package io.cvmfsthin.driver.remote;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge: {@link RepositoryCatalogs} answered by one {@link RepositoryClient} per repository, opened
 * on first use (manifest, whitelist and signature verified, catalogs fetched into the settings'
 * cache), no FUSE mount. Before each lookup the client checks for a new revision once the root
 * catalog's TTL has passed. A repository that cannot be opened is tried again on the next lookup.
 * Closed by its owner (through {@link RemoteLayerIndex#close}).
 */
public final class ClientCatalogs implements RepositoryCatalogs {
  private static final Logger log = LoggerFactory.getLogger(ClientCatalogs.class);

  /** The client settings of a repository, from the CVMFS configuration. */
  @FunctionalInterface
  public interface SettingsSource {
    ClientSettings settings(String fqrn) throws IOException;
  }

  private final SettingsSource settings;
  // one open per repository however many ask; a failed open is removed so the next ask retries
  private final Map<String, CompletableFuture<RepositoryClient>> clients =
      new ConcurrentHashMap<>();

  public ClientCatalogs(SettingsSource settings) {
    this.settings = settings;
  }

  @Override
  public Optional<EntryKind> kind(String fqrn, String path) throws IOException {
    RepositoryClient client = client(fqrn);
    try {
      client.refresh();
    } catch (IOException e) {
      // CVMFS keeps serving the revision it has while the servers are away
      log.warn(
          "repository {}: revision check failed, searching revision {}: {}",
          fqrn,
          client.revision(),
          e.toString());
    }
    try {
      return Optional.of(client.lookup(path).kind());
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IOException(
          "repository " + fqrn + ": cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private RepositoryClient client(String fqrn) throws IOException {
    CompletableFuture<RepositoryClient> mine = new CompletableFuture<>();
    CompletableFuture<RepositoryClient> present = clients.putIfAbsent(fqrn, mine);
    if (present == null) {
      try {
        RepositoryClient opened = RepositoryClient.open(settings.settings(fqrn));
        log.info("repository {}: opened for layer lookups, revision {}", fqrn, opened.revision());
        mine.complete(opened);
        return opened;
      } catch (IOException | RuntimeException e) {
        clients.remove(fqrn, mine);
        IOException failure =
            new IOException("repository " + fqrn + " unavailable: " + e.getMessage(), e);
        mine.completeExceptionally(failure);
        throw failure;
      }
    }
    try {
      return present.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("waiting for repository " + fqrn + " to open");
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException(cause.getMessage(), cause);
    }
  }

  @Override
  public void close() {
    for (CompletableFuture<RepositoryClient> f : clients.values()) {
      RepositoryClient c = f.getNow(null);
      if (c != null) {
        c.close();
      }
    }
    clients.clear();
  }
}
