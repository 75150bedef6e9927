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
 */
final class NodeTable {
  /** What a node is: a path and what identifies its content (null: none, e.g. a directory). */
  record Key(String path, Object content) {}

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

  NodeTable() {
    Node root = new Node(FuseProtocol.ROOT_ID, new Key("", null));
    byId.put(root.id, root);
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
    Key key = new Key(path, content);
    Node n = byKey.get(key);
    if (n == null) {
      n = new Node(nextId++, key);
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
    }
  }

  /** Node ids known, the root included. */
  int size() {
    return byId.size();
  }
}
