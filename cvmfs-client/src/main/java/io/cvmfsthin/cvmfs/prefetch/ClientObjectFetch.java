package io.cvmfsthin.cvmfs.prefetch;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Edge: {@link ObjectFetch} over a {@link RepositoryClient}: looks the file up in the current
 * revision and fetches its object, or the chunks covering its first {@link #MAX_PREFIX_BYTES}
 * bytes, through {@link RepositoryClient#objectFile}, so the object cache's one-fetch-per-object
 * rule covers prefetch and reads alike. Each file is one task on the given executor (the caller
 * owns it); its chunks are fetched one after the other, stopping early when the future is
 * cancelled.
 */
public final class ClientObjectFetch implements ObjectFetch {
  /** How much of a chunked file is prefetched: the chunks that start in its first 64 MiB. */
  public static final long MAX_PREFIX_BYTES = 64L << 20;

  private final RepositoryClient client;
  private final Executor executor;

  public ClientObjectFetch(RepositoryClient client, Executor executor) {
    this.client = client;
    this.executor = executor;
  }

  @Override
  public CompletableFuture<?> fetchFile(String fqrn, String path) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    if (!fqrn.equals(client.fqrn())) {
      result.completeExceptionally(
          new NoSuchFileException(path, null, "not in repository " + client.fqrn()));
      return result;
    }
    try {
      executor.execute(
          () -> {
            if (result.isDone()) {
              return; // cancelled before it started
            }
            try {
              fetch(path, result);
              result.complete(null);
            } catch (IOException | RuntimeException e) {
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  private void fetch(String path, CompletableFuture<Void> result) throws IOException {
    DirectoryEntry e = client.lookup(path);
    if (!e.isRegular()) {
      throw new NoSuchFileException(path, null, "not a regular file");
    }
    if (e.sizeBytes() == 0 || e.isExternal() || e.hash() == null) {
      return;
    }
    if (!e.chunked()) {
      if (result.isDone()) {
        return; // stopped while looking up
      }
      client.objectFile(e.hash(), ObjectType.FILE, e.compression(), e.sizeBytes());
      return;
    }
    List<FileChunk> chunks = client.chunks(path);
    for (FileChunk c : chunks) {
      if (result.isDone() || c.offset() >= MAX_PREFIX_BYTES) {
        return;
      }
      client.objectFile(c.hash(), ObjectType.PARTIAL, e.compression(), c.sizeBytes());
    }
  }
}
