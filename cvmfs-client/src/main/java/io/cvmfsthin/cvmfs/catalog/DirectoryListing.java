package io.cvmfsthin.cvmfs.catalog;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The children of one directory in one catalog (core value): as a {@code List}, the visible ones
 * sorted by name, which is what a listing shows; {@link #all} adds the hidden ones, which a lookup
 * by name still finds. With {@link #all}, a name that is not there is known to be absent.
 */
public final class DirectoryListing extends AbstractList<DirectoryEntry> implements RandomAccess {
  private final List<DirectoryEntry> visible;
  private final List<DirectoryEntry> hidden;

  public DirectoryListing(List<DirectoryEntry> visible, List<DirectoryEntry> hidden) {
    this.visible = List.copyOf(visible);
    this.hidden = List.copyOf(hidden);
  }

  @Override
  public DirectoryEntry get(int index) {
    return visible.get(index);
  }

  @Override
  public int size() {
    return visible.size();
  }

  /** Every child, hidden ones included. */
  public List<DirectoryEntry> all() {
    if (hidden.isEmpty()) {
      return visible;
    }
    List<DirectoryEntry> out = new ArrayList<>(visible);
    out.addAll(hidden);
    return out;
  }
}
