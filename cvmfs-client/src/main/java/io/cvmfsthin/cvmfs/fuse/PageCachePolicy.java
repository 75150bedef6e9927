package io.cvmfsthin.cvmfs.fuse;

import java.util.HashMap;
import java.util.Map;

/**
 * Decides {@code keep_cache} and {@code direct_io} for each open (core). libfuse's high-level API
 * gives a path one kernel inode for the life of the mount, so its page cache is shared by every
 * open file of that path, whatever revision each was opened in. To let an open file keep reading
 * its revision while a newer one is opened:
 *
 * <ul>
 *   <li>the page cache is kept ({@code keep_cache}) only if it holds this content (the last cached
 *       open had the same content identity) and no other content is open;
 *   <li>while files of another content are open on the path, a new open uses {@code direct_io}: it
 *       neither reads nor fills the shared page cache;
 *   <li>otherwise an open of new content drops the page cache (no {@code keep_cache}) and becomes
 *       what the cache holds.
 * </ul>
 *
 * <p>Thread-safe: one lock guards the table; no I/O happens under it.
 */
final class PageCachePolicy {
  /** What one open may do with the page cache. */
  record Decision(boolean keepCache, boolean directIo) {}

  private static final class PathState {
    Object cached; // content the page cache holds, or null
    final Map<Object, Integer> open = new HashMap<>(); // content -> open handles
  }

  private final int maxPaths;
  private final Map<String, PathState> paths = new HashMap<>(); // guarded by this

  PageCachePolicy(int maxPaths) {
    this.maxPaths = maxPaths;
  }

  synchronized Decision open(String path, Object content) {
    if (paths.size() >= maxPaths) {
      paths.values().removeIf(s -> s.open.isEmpty());
    }
    PathState s = paths.computeIfAbsent(path, p -> new PathState());
    boolean others = s.open.keySet().stream().anyMatch(c -> !c.equals(content));
    Decision d;
    if (others) {
      d = new Decision(false, true);
    } else {
      d = new Decision(content.equals(s.cached), false);
      s.cached = content;
    }
    s.open.merge(content, 1, Integer::sum);
    return d;
  }

  synchronized void release(String path, Object content) {
    PathState s = paths.get(path);
    if (s != null) {
      s.open.computeIfPresent(content, (c, n) -> n <= 1 ? null : n - 1);
    }
  }
}
