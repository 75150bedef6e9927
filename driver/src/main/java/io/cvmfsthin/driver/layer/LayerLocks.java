package io.cvmfsthin.driver.layer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per layer id, made when a call first needs it and dropped when no call holds or waits
 * for it: calls for the same id are serialised, calls for different ids never wait on each other
 * (fixed lock stripes made unrelated layers wait behind a mount or a commit of another). Reentrant,
 * so a call may take its own id's lock again.
 */
public final class LayerLocks {
  private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int users; // holders and waiters; changed only inside ConcurrentHashMap.compute
  }

  /** A held lock; closing it releases the lock. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** Blocks until this thread holds {@code id}'s lock. */
  public Held lock(String id) {
    Entry e =
        locks.compute(
            id,
            (k, existing) -> {
              Entry x = existing == null ? new Entry() : existing;
              x.users++;
              return x;
            });
    try {
      e.lock.lock();
    } catch (RuntimeException | Error t) {
      release(id);
      throw t;
    }
    return () -> {
      e.lock.unlock();
      release(id);
    };
  }

  private void release(String id) {
    locks.computeIfPresent(id, (k, x) -> --x.users == 0 ? null : x);
  }

  /** Ids with a holder or waiter now (for tests and diagnostics). */
  public int size() {
    return locks.size();
  }
}
