package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalogs one transaction has written so far, each with the nested catalogs it refers to.
 *
 * <p>A transaction applies its publications one after the other, each on the catalog tree the one
 * before made, so a catalog on the way to several published paths is written once per publication.
 * Two rules make the result look as if it had been written once: a catalog written earlier in the
 * same transaction keeps its {@code revision} and {@code previous_revision} when it is edited again
 * (they already point past the revision the transaction started from), and the versions the final
 * tree no longer reaches are intermediate, to be removed before anything refers to them. Owned by
 * one transaction, on its thread.
 */
final class TransactionCatalogs {
  private final Map<ContentHash, List<ContentHash>> written = new HashMap<>();

  /** Whether this transaction wrote the catalog {@code hash}. */
  boolean writtenHere(ContentHash hash) {
    return written.containsKey(hash);
  }

  /** Records a catalog this transaction wrote and the nested catalogs it refers to. */
  void add(ContentHash hash, List<ContentHash> nested) {
    written.put(hash, List.copyOf(nested));
  }

  /**
   * The catalogs this transaction wrote that the tree below {@code root} does not reach. A catalog
   * written before the transaction never refers to one written in it (names are content hashes), so
   * the walk follows only catalogs written here.
   */
  Set<ContentHash> unreachableFrom(ContentHash root) {
    Set<ContentHash> reached = new HashSet<>();
    Deque<ContentHash> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      ContentHash h = todo.poll();
      List<ContentHash> nested = written.get(h);
      if (nested != null && reached.add(h)) {
        todo.addAll(nested);
      }
    }
    Set<ContentHash> unreachable = new HashSet<>(written.keySet());
    unreachable.removeAll(reached);
    return unreachable;
  }
}
