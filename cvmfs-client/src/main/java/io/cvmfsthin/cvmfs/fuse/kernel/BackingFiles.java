package io.cvmfsthin.cvmfs.fuse.kernel;

import java.util.HashMap;
import java.util.Map;

/**
 * The passthrough backing files of open nodes (core around the device ioctls of {@link
 * Requests.Backing}). The kernel gives an inode one backing file at a time and refuses a
 * passthrough open with another one, so every open of a node shares the backing id its first open
 * registered; the last release drops it. A node is one content ({@link NodeTable}), so the shared
 * file always holds the right bytes. Registrations are journaled ({@link NodeJournal}); a restarted
 * worker keeps its predecessor's backing ids for good (the handles that hold them are unknown to
 * it), so a new open of such a node shares the id the kernel's inode already has. Thread-safe: one
 * lock guards both maps; the ioctls under it are quick and never touch the network.
 */
final class BackingFiles {
  private static final class Shared {
    final int backingId;
    int opens;

    Shared(int backingId) {
      this.backingId = backingId;
    }
  }

  private final Requests.Backing device;
  private final NodeJournal journal;
  private final Map<Long, Shared> byNode = new HashMap<>(); // guarded by this
  private final Map<Long, Long> nodeOfHandle = new HashMap<>(); // guarded by this

  BackingFiles(Requests.Backing device) {
    this(device, NodeJournal.NONE);
  }

  BackingFiles(Requests.Backing device, NodeJournal journal) {
    this.device = device;
    this.journal = journal;
    journal
        .state()
        .backings()
        .forEach(
            (node, id) -> {
              Shared s = new Shared(id);
              s.opens = Integer.MAX_VALUE / 2; // held by handles of a predecessor: never closed
              byNode.put(node, s);
            });
  }

  /**
   * The backing id for the open {@code handle} of {@code nodeid}: the node's, or one registered
   * from {@code fd} (the cached copy); 0 if the node has none and {@code fd} is -1 (the copy was
   * evicted meanwhile), minus errno if the kernel refused it.
   */
  synchronized int acquire(long handle, long nodeid, int fd) {
    Shared s = byNode.get(nodeid);
    if (s == null) {
      if (fd < 0) {
        return 0;
      }
      int id = device.open(fd);
      if (id <= 0) {
        return id;
      }
      s = new Shared(id);
      byNode.put(nodeid, s);
      journal.backing(nodeid, id);
    }
    s.opens++;
    nodeOfHandle.put(handle, nodeid);
    return s.backingId;
  }

  /** The release of {@code handle}; handles that got no backing id are ignored. */
  synchronized void release(long handle) {
    Long nodeid = nodeOfHandle.remove(handle);
    if (nodeid == null) {
      return;
    }
    Shared s = byNode.get(nodeid);
    if (s != null && --s.opens == 0) {
      byNode.remove(nodeid);
      device.close(s.backingId);
      journal.backing(nodeid, 0);
    }
  }

  /** Nodes with a backing file now. */
  synchronized int size() {
    return byNode.size();
  }
}
