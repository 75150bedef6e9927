package io.cvmfsthin.cvmfs.fuse.kernel;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node ids the kernel knows (core): each names a repository path ({@code ""} is the root, id
 * {@link FuseProtocol#ROOT_ID}) with one content, and counts the lookups the kernel has not
 * forgotten yet. A path keeps its id while the kernel remembers it and its content stays the same;
 * new content at the path (a newer revision) gets a new id, so the kernel makes a new inode for it:
 * an inode's page cache and passthrough backing file then always hold one content, and files open
 * on the old inode keep reading their revision. A forgotten id is never reused. Thread-safe: reads
 * of the path of an id take no lock; one lock guards the counting.
 *
 * <p>Under a supervisor every id given out and dropped is written to a {@link NodeJournal} before
 * the kernel learns it, and a restarted worker {@link #restore}s the table: the same ids for the
 * same paths. The lookup counts are not journaled (that would be a write per lookup): a restored
 * node is never dropped, which costs a little memory per node the kernel knew at the restart.
 */
final class NodeTable {
  /** What a node is: a path and the text of what identifies its content ({@link #contentText}). */
  record Key(String path, String content) {}

  /** Lookups a restored node starts with: more than the kernel can forget. */
  private static final long PINNED = Long.MAX_VALUE / 4;

  private static final class Node {
    final long id;
    final Key key;
    long lookups; // guarded by NodeTable.this

    Node(long id, Key key) {
      this.id = id;
      this.key = key;
    }
  }

  private final Map<Long, Node> byId = new ConcurrentHashMap<>();
  private final Map<Key, Node> byKey = new HashMap<>(); // guarded by this
  private long nextId = FuseProtocol.ROOT_ID + 1; // guarded by this
  private final NodeJournal journal;

  NodeTable() {
    this(NodeJournal.NONE);
  }

  /** A table writing to {@code journal} and holding what it recorded before. */
  NodeTable(NodeJournal journal) {
    this.journal = journal;
    Node root = new Node(FuseProtocol.ROOT_ID, new Key("", ""));
    byId.put(root.id, root);
    restore(journal.state().nodes());
  }

  private void restore(Map<Long, Key> nodes) {
    nodes.forEach(
        (id, key) -> {
          Node n = new Node(id, key);
          n.lookups = PINNED;
          byId.put(id, n);
          byKey.put(key, n);
          nextId = Math.max(nextId, id + 1);
        });
  }

  /** The text {@code content} is identified by: the same for equal content across workers. */
  static String contentText(Object content) {
    return content == null ? "" : content.getClass().getSimpleName() + ":" + content;
  }

  /** What node {@code id} names, or null. */
  Key key(long id) {
    Node n = byId.get(id);
    return n == null ? null : n.key;
  }

  /** The path of node {@code id}, or null if the kernel cannot know it. */
  String path(long id) {
    Node n = byId.get(id);
    return n == null ? null : n.key.path();
  }

  /** The id of {@code path} with {@code content}, counting one lookup the kernel will forget. */
  synchronized long lookedUp(String path, Object content) {
    if (path.isEmpty()) {
      return FuseProtocol.ROOT_ID; // the root is never forgotten
    }
    Key key = new Key(path, contentText(content));
    Node n = byKey.get(key);
    if (n == null) {
      n = new Node(nextId++, key);
      journal.node(n.id, key); // before the kernel learns the id
      byKey.put(key, n);
      byId.put(n.id, n);
    }
    n.lookups++;
    return n.id;
  }

  /** The kernel forgets {@code count} lookups of {@code id}; at zero the id is dropped. */
  synchronized void forget(long id, long count) {
    if (id == FuseProtocol.ROOT_ID) {
      return;
    }
    Node n = byId.get(id);
    if (n == null) {
      return;
    }
    n.lookups -= count;
    if (n.lookups <= 0) {
      byId.remove(id);
      byKey.remove(n.key);
      journal.dropped(id);
    }
  }

  /** Node ids known, the root included. */
  int size() {
    return byId.size();
  }
}
