package io.cvmfsthin.cvmfs.prefetch;

import java.nio.file.NoSuchFileException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a prefetch list: fetches the listed files in list order with at most {@code parallel}
 * files in flight, in the background. Nobody waits for it: {@link #start} returns at once. {@link
 * #stop} starts nothing new, cancels fetches not yet begun and lets requests in flight finish. A
 * listed file that does not exist (any more) is counted as missing with a debug line; a failed
 * fetch likewise as failed: a read of that file later fetches it as usual.
 *
 * <p>Thread-safe: one lock guards the position, the fetches in flight and the counts; fetches are
 * started outside it, and a fetch that completes at once cannot recurse (one caller pumps at a
 * time).
 */
public final class Prefetcher {
  private static final Logger log = LoggerFactory.getLogger(Prefetcher.class);

  /** One file to fetch. */
  public record Target(String fqrn, String path) {}

  /**
   * Where a prefetch stands.
   *
   * @param listed files in the plan
   * @param fetched files whose objects are now cached (fetched now or already there)
   * @param missing files the current revision does not have
   * @param failed fetches that failed otherwise
   * @param notStarted files left when it stopped
   */
  public record Counts(int listed, int fetched, int missing, int failed, int notStarted) {}

  private final List<Target> targets;
  private final ObjectFetch fetch;
  private final int parallel;
  private final CompletableFuture<Counts> done = new CompletableFuture<>();
  private final Object lock = new Object(); // guards everything below
  private final Set<CompletableFuture<?>> inFlight = new HashSet<>();
  private int next;
  private boolean pumping;
  private boolean stopped;
  private int fetched;
  private int missing;
  private int failed;
  private int cancelled;

  /**
   * @param targets the files, in the order to fetch them
   * @param parallel files in flight at most, at least 1
   */
  public Prefetcher(List<Target> targets, ObjectFetch fetch, int parallel) {
    if (parallel < 1) {
      throw new IllegalArgumentException("prefetch parallelism " + parallel + ", expected >= 1");
    }
    this.targets = List.copyOf(targets);
    this.fetch = fetch;
    this.parallel = parallel;
  }

  /** The files to fetch of {@code list} in list order: those below the image's layer dirs. */
  public static List<Target> plan(PrefetchList list, LayerDirs dirs) {
    List<Target> out = new java.util.ArrayList<>();
    for (String p : list.paths()) {
      var fqrn = dirs.repositoryOf(p);
      if (fqrn.isPresent()) {
        out.add(new Target(fqrn.get(), p));
      } else {
        log.debug("prefetch entry {} is outside the image's layers: ignored", p);
      }
    }
    return out;
  }

  /** Starts fetching; returns at once. */
  public void start() {
    pump();
  }

  /** Starts no further fetch; requests in flight finish. {@link #done} completes after them. */
  public void stop() {
    List<CompletableFuture<?>> cancel;
    synchronized (lock) {
      if (stopped) {
        return;
      }
      stopped = true;
      cancel = List.copyOf(inFlight);
    }
    cancel.forEach(f -> f.cancel(false));
    completeIfDone();
  }

  /** Completes when every file was tried, or after {@link #stop}, with the counts. */
  public CompletableFuture<Counts> done() {
    return done;
  }

  /** The counts now. */
  public Counts counts() {
    synchronized (lock) {
      return countsLocked();
    }
  }

  private Counts countsLocked() {
    return new Counts(targets.size(), fetched, missing, failed, targets.size() - next + cancelled);
  }

  private void pump() {
    synchronized (lock) {
      if (pumping) {
        return; // the pumping caller sees every change made under the lock
      }
      pumping = true;
    }
    while (true) {
      Target t;
      synchronized (lock) {
        if (stopped || next >= targets.size() || inFlight.size() >= parallel) {
          pumping = false;
          break;
        }
        t = targets.get(next++);
      }
      CompletableFuture<?> f;
      try {
        f = fetch.fetchFile(t.fqrn(), t.path());
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      synchronized (lock) {
        inFlight.add(f);
      }
      CompletableFuture<?> started = f;
      f.whenComplete((v, e) -> finished(t, started, e));
    }
    completeIfDone();
  }

  private void finished(Target t, CompletableFuture<?> f, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    synchronized (lock) {
      if (!inFlight.remove(f)) {
        return; // already counted
      }
      if (cause == null) {
        fetched++;
      } else if (cause instanceof CancellationException) {
        cancelled++;
      } else if (cause instanceof NoSuchFileException) {
        missing++;
      } else {
        failed++;
      }
    }
    if (cause instanceof NoSuchFileException) {
      log.debug("prefetch {}:{}: not in the current revision, ignored", t.fqrn(), t.path());
    } else if (cause != null && !(cause instanceof CancellationException)) {
      log.debug("prefetch {}:{} failed: {}", t.fqrn(), t.path(), cause.toString());
    }
    pump();
  }

  private void completeIfDone() {
    Counts c;
    synchronized (lock) {
      if (pumping || !inFlight.isEmpty() || !(stopped || next >= targets.size())) {
        return;
      }
      c = countsLocked();
    }
    done.complete(c);
  }
}
