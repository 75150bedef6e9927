package io.cvmfsthin.cvmfs.prefetch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Records the files a container of one thin image opens: each path below the image's layer
 * directories, once, in order of first open, until {@code maxFiles} paths are recorded or {@code
 * maxTime} has passed since the recorder was made. Core: the caller reports opens (a FUSE open
 * listener) and saves {@link #list} when it decides the recording is over. Thread-safe: one lock
 * guards the recorded set; nothing is done under it but the set's own work.
 */
public final class PrefetchRecorder {
  private final LayerDirs dirs;
  private final int maxFiles;
  private final Clock clock;
  private final Instant deadline;
  private final Object lock = new Object(); // guards recorded and closed
  private final Set<String> recorded = new LinkedHashSet<>();
  private boolean closed;

  /**
   * @param dirs the image's layer directories; other paths are not recorded
   * @param maxFiles how many paths at most
   * @param maxTime how long after now opens are recorded
   */
  public PrefetchRecorder(LayerDirs dirs, int maxFiles, Duration maxTime, Clock clock) {
    if (maxFiles < 1 || maxFiles > PrefetchList.MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "files to record: " + maxFiles + ", expected 1.." + PrefetchList.MAX_ENTRIES);
    }
    if (maxTime.isNegative() || maxTime.isZero()) {
      throw new IllegalArgumentException("time to record: " + maxTime + ", expected > 0");
    }
    this.dirs = dirs;
    this.maxFiles = maxFiles;
    this.clock = clock;
    this.deadline = clock.instant().plus(maxTime);
  }

  /** The image's layer directories. */
  public LayerDirs dirs() {
    return dirs;
  }

  /**
   * Reports that {@code path} of repository {@code fqrn} was opened.
   *
   * @return true if it was recorded now (first open of a path of the image, within the limits)
   */
  public boolean opened(String fqrn, String path) {
    if (!dirs.contains(fqrn, path) || !PrefetchList.isEntry(path)) {
      return false;
    }
    boolean late = !clock.instant().isBefore(deadline);
    synchronized (lock) {
      if (closed || late || recorded.size() >= maxFiles) {
        closed = true;
        return false;
      }
      return recorded.add(path);
    }
  }

  /** True once the count or the time limit has been reached (or {@link #close} was called). */
  public boolean isComplete() {
    synchronized (lock) {
      if (!closed && (recorded.size() >= maxFiles || !clock.instant().isBefore(deadline))) {
        closed = true;
      }
      return closed;
    }
  }

  /** Ends the recording: later opens are not recorded. */
  public void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  /** When the time limit ends the recording. */
  public Instant deadline() {
    return deadline;
  }

  /** What was recorded so far. */
  public PrefetchList list() {
    synchronized (lock) {
      return new PrefetchList(recorded.stream().toList());
    }
  }

  /** How many paths were recorded so far. */
  public int size() {
    synchronized (lock) {
      return recorded.size();
    }
  }
}
