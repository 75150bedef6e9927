package io.cvmfsthin.cvmfs.publish;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * Edge: writes file contents on the caller's executor while a source is still being read, with at
 * most {@code maxBytesInFlight} bytes of buffered tar content waiting. With a direct executor
 * ({@code Runnable::run}) every write happens inline. {@link #awaitAll()} waits for every write and
 * rethrows the first failure; {@link #close()} waits without throwing, so nothing writes objects
 * after a failed publish has cleaned up. One source, one instance.
 */
final class ContentTasks implements AutoCloseable {
  /** A content write that may fail with an I/O error. */
  interface Task {
    void run() throws IOException;
  }

  private final Executor executor;
  private final Semaphore bytesInFlight;
  private final int maxBytesInFlight;
  private final List<CompletableFuture<Void>> pending = new ArrayList<>();
  private int pruneAt = 4096;

  ContentTasks(Executor executor, int maxBytesInFlight) {
    this.executor = executor;
    this.maxBytesInFlight = maxBytesInFlight;
    this.bytesInFlight = new Semaphore(maxBytesInFlight);
  }

  /** Whether content of this size may be buffered and written in the background. */
  boolean fits(long sizeBytes) {
    return sizeBytes <= maxBytesInFlight / 4;
  }

  /** Reserves room for {@code bytes} of buffered content; blocks while too much is in flight. */
  void reserve(int bytes) throws IOException {
    try {
      bytesInFlight.acquire(bytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing objects");
    }
  }

  void release(int bytes) {
    bytesInFlight.release(bytes);
  }

  /** Runs {@code task} on the executor; {@code reservedBytes} are released when it ends. */
  void submit(int reservedBytes, Task task) {
    pending.add(
        CompletableFuture.runAsync(
            () -> {
              try {
                task.run();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } finally {
                bytesInFlight.release(reservedBytes);
              }
            },
            executor));
    if (pending.size() > pruneAt) {
      // forget the writes that succeeded; pruning again only once as many are pending again
      pending.removeIf(f -> f.isDone() && !f.isCompletedExceptionally());
      pruneAt = Math.max(4096, 2 * pending.size());
    }
  }

  /** Waits for every write; rethrows the first failure. */
  void awaitAll() throws IOException {
    IOException first = null;
    for (CompletableFuture<Void> f : pending) {
      try {
        f.join();
      } catch (CompletionException e) {
        if (first == null) {
          first =
              e.getCause() instanceof UncheckedIOException u
                  ? u.getCause()
                  : new IOException("writing an object failed: " + e.getCause(), e.getCause());
        }
      }
    }
    pending.clear();
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void close() {
    for (CompletableFuture<Void> f : pending) {
      try {
        f.join();
      } catch (CompletionException ignored) {
        // the caller is failing already; its first error is the one to report
      }
    }
    pending.clear();
  }
}
