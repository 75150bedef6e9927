package io.cvmfsthin.cvmfs.fuse.kernel;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node ids the kernel knows (core): each names a repository path ({@code ""} is the root, id
 * {@link FuseProtocol#ROOT_ID}) and counts the lookups the kernel has not forgotten yet. A path
 * keeps its id while the kernel remembers it; a forgotten id is never reused. Thread-safe: reads of
 * the path of an id take no lock; one lock guards the counting.
 */
final class NodeTable {
  private static final class Node {
    final long id;
    final String path;
    long lookups; // guarded by NodeTable.this

    Node(long id, String path) {
      this.id = id;
      this.path = path;
    }
  }

  private final Map<Long, Node> byId = new ConcurrentHashMap<>();
  private final Map<String, Node> byPath = new HashMap<>(); // guarded by this
  private long nextId = FuseProtocol.ROOT_ID + 1; // guarded by this

  NodeTable() {
    Node root = new Node(FuseProtocol.ROOT_ID, "");
    byId.put(root.id, root);
  }

  /** The path of node {@code id}, or null if the kernel cannot know it. */
  String path(long id) {
    Node n = byId.get(id);
    return n == null ? null : n.path;
  }

  /** The id of {@code path}, counting one lookup the kernel will forget later. */
  synchronized long lookedUp(String path) {
    if (path.isEmpty()) {
      return FuseProtocol.ROOT_ID; // the root is never forgotten
    }
    Node n = byPath.get(path);
    if (n == null) {
      n = new Node(nextId++, path);
      byPath.put(path, n);
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
      byPath.remove(n.path);
    }
  }

  /** Node ids known, the root included. */
  int size() {
    return byId.size();
  }
}
