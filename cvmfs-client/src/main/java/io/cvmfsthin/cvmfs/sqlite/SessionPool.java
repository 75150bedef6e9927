package io.cvmfsthin.cvmfs.sqlite;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A few open sessions (a read-only connection with its prepared statements) to one SQLite file, so
 * that concurrent queries run side by side instead of queueing on one connection. A caller takes a
 * session, uses it alone and gives it back. A session is opened when none is idle; never more than
 * {@code maxIdle} stay open while idle, the rest are closed on return. Nobody waits: the number of
 * sessions in use is bounded by the threads that query (FUSE workers, the CLI).
 *
 * <p>Thread-safe: this object's monitor guards {@link #idle} and {@link #closed}; sessions are
 * opened and closed outside it. The owner ({@link Catalog}) closes the pool; a session given back
 * after that is closed at once.
 */
final class SessionPool<S extends AutoCloseable> implements AutoCloseable {
  /** Opens one session. */
  @FunctionalInterface
  interface Opener<S> {
    S open() throws SQLException;
  }

  private final Opener<S> opener;
  private final int maxIdle;
  private final ArrayDeque<S> idle = new ArrayDeque<>(); // guarded by this
  private boolean closed; // guarded by this

  SessionPool(Opener<S> opener, int maxIdle, S first) {
    if (maxIdle < 1) {
      throw new IllegalArgumentException("maxIdle < 1: " + maxIdle);
    }
    this.opener = opener;
    this.maxIdle = maxIdle;
    idle.push(first);
  }

  /** An idle session, or a new one. */
  S take() throws SQLException {
    synchronized (this) {
      if (closed) {
        throw new SQLException("closed");
      }
      S s = idle.pollFirst();
      if (s != null) {
        return s;
      }
    }
    return opener.open();
  }

  /** Gives back a session taken from this pool. */
  void giveBack(S session) {
    synchronized (this) {
      if (!closed && idle.size() < maxIdle) {
        idle.push(session);
        return;
      }
    }
    closeQuietly(session);
  }

  /** Sessions open and idle now (for tests). */
  synchronized int idleCount() {
    return idle.size();
  }

  /** Closes the idle sessions; those in use are closed when given back. Idempotent. */
  @Override
  public void close() {
    List<S> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(idle);
      idle.clear();
    }
    toClose.forEach(SessionPool::closeQuietly);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // a read-only session loses nothing on close
    }
  }
}
