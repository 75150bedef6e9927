package io.cvmfsthin.plugin.metrics;

import java.nio.file.NoSuchFileException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/** The {@link PrefetchMetrics#fileEnded} outcome of a prefetched file's future. */
public final class PrefetchOutcomes {
  private PrefetchOutcomes() {}

  /** {@code fetched} for no error, else {@code cancelled}, {@code missing} or {@code failed}. */
  public static String of(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause == null) {
      return "fetched";
    }
    if (cause instanceof CancellationException) {
      return "cancelled";
    }
    return cause instanceof NoSuchFileException ? "missing" : "failed";
  }
}
