package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.CatalogSchema;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Core: the 24 statistics counters of a catalog (spec §6.10): {@code self_X} counts this catalog's
 * rows, {@code subtree_X} sums {@code self_X + subtree_X} of every nested catalog below. Values in
 * the order of {@link CatalogSchema#COUNTERS}. Immutable.
 */
record CatalogCounters(long[] self, long[] subtree) {
  static final int N = CatalogSchema.COUNTERS.size();
  static final CatalogCounters ZERO = new CatalogCounters(new long[N], new long[N]);

  CatalogCounters {
    if (self.length != N || subtree.length != N) {
      throw new IllegalArgumentException("12 counters expected");
    }
    self = self.clone();
    subtree = subtree.clone();
  }

  static int index(String counter) {
    int i = CatalogSchema.COUNTERS.indexOf(counter);
    if (i < 0) {
      throw new IllegalArgumentException("no counter " + counter);
    }
    return i;
  }

  /** What this catalog contributes to its parent's subtree counters: self + subtree. */
  long[] totals() {
    long[] t = new long[N];
    for (int i = 0; i < N; i++) {
      t[i] = self[i] + subtree[i];
    }
    return t;
  }

  long self(String counter) {
    return self[index(counter)];
  }

  long subtree(String counter) {
    return subtree[index(counter)];
  }

  /** The rows of the statistics table, name → value, sorted as the stock tools list them. */
  Map<String, Long> rows() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < N; i++) {
      m.put("self_" + CatalogSchema.COUNTERS.get(i), self[i]);
    }
    for (int i = 0; i < N; i++) {
      m.put("subtree_" + CatalogSchema.COUNTERS.get(i), subtree[i]);
    }
    return m;
  }

  static long[] plus(long[] a, long[] b) {
    long[] r = a.clone();
    for (int i = 0; i < N; i++) {
      r[i] += b[i];
    }
    return r;
  }

  static long[] minus(long[] a, long[] b) {
    long[] r = a.clone();
    for (int i = 0; i < N; i++) {
      r[i] -= b[i];
    }
    return r;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CatalogCounters c
        && Arrays.equals(self, c.self)
        && Arrays.equals(subtree, c.subtree);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(self) + Arrays.hashCode(subtree);
  }

  @Override
  public String toString() {
    return rows().toString();
  }
}
