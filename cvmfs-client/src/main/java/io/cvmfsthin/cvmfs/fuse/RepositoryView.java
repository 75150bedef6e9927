package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.tar.Whiteouts;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the mount shows at a path (core): the repository as the stock client shows it, except below
 * a {@link LayerRoots layer root}, where the layer view (thin-image spec §4.4) applies:
 *
 * <ul>
 *   <li>{@code .wh.NAME} appears as {@code NAME}, a character device 0/0 (overlayfs' whiteout) with
 *       the marker's owner and mtime and no permission bits, as overlay2 writes it; a real {@code
 *       NAME} in the same directory wins;
 *   <li>{@code .wh..wh..opq} and other {@code .wh..wh.} names are hidden; a directory holding
 *       {@code .wh..wh..opq} is opaque ({@link #isOpaque});
 *   <li>the {@code .cvmfscatalog} (and {@code .cvmfsautocatalog}) marker of a nested catalog's root
 *       directory is hidden: the publisher adds it, the layer's tar never had it.
 * </ul>
 *
 * <p>Lookups and listings (present and absent) are cached in memory per revision: the cache is
 * replaced when {@link EntrySource#revisionKey} changes and cleared when it holds too many paths.
 * Once {@link #LIST_AFTER_MISSES} names of one directory were looked up one by one, the next asks
 * the source for all its {@link EntrySource#children children} at once: one query then answers
 * every sibling, present or absent (a lone lookup in a huge directory never lists it). Thread-safe;
 * no lock is held while the source is asked (which may fetch a catalog).
 */
final class RepositoryView {
  static final String CATALOG_MARKER = ".cvmfscatalog";
  static final String AUTOCATALOG_MARKER = ".cvmfsautocatalog";

  /** Names of one directory looked up one by one before the directory is indexed. */
  static final int LIST_AFTER_MISSES = 2;

  private final int listAfterMisses;
  private final EntrySource source;
  private final LayerRoots layers;
  private final int maxCachedPaths;
  private volatile Snapshot snapshot; // replaced, never mutated in place except its maps

  /** Cached answers of one revision. */
  private record Snapshot(
      Object key,
      Map<String, Optional<DirectoryEntry>> entries,
      Map<String, List<DirectoryEntry>> listings,
      Map<String, DirIndex> indexes, // directory -> its children by name
      AtomicInteger indexedEntries,
      Map<String, Integer> misses) { // directory -> names looked up one by one
    static Snapshot of(Object key) {
      return new Snapshot(
          key,
          new ConcurrentHashMap<>(),
          new ConcurrentHashMap<>(),
          new ConcurrentHashMap<>(),
          new AtomicInteger(),
          new ConcurrentHashMap<>());
    }
  }

  /** The children of a directory by name; {@code complete}: a name not here is absent. */
  private record DirIndex(Map<String, DirectoryEntry> byName, boolean complete) {
    static final DirIndex UNKNOWN = new DirIndex(Map.of(), false);
  }

  RepositoryView(EntrySource source, LayerRoots layers, int maxCachedPaths) {
    this(source, layers, maxCachedPaths, LIST_AFTER_MISSES);
  }

  RepositoryView(EntrySource source, LayerRoots layers, int maxCachedPaths, int listAfterMisses) {
    this.listAfterMisses = listAfterMisses;
    this.source = source;
    this.layers = layers;
    this.maxCachedPaths = maxCachedPaths;
    this.snapshot = Snapshot.of(source.revisionKey());
  }

  LayerRoots layers() {
    return layers;
  }

  /** The revision the answers come from; see {@link EntrySource#revisionKey}. */
  Object revisionKey() {
    return source.revisionKey();
  }

  /** What the view shows at {@code path} ("" is the root), or empty. */
  Optional<DirectoryEntry> lookup(String path) throws IOException {
    if (path.isEmpty()) {
      return raw(path);
    }
    String dir = Md5Path.parentPath(path);
    if (!layers.covers(dir)) {
      return raw(path);
    }
    String name = Md5Path.name(path);
    if (Whiteouts.isMarker(name)) {
      return Optional.empty();
    }
    Optional<DirectoryEntry> real = raw(path);
    if (real.isPresent()) {
      return isHiddenCatalogMarker(dir, name) ? Optional.empty() : real;
    }
    return raw(Md5Path.child(dir, Whiteouts.whiteoutName(name)))
        .filter(DirectoryEntry::isRegular)
        .map(marker -> whiteout(path, marker));
  }

  /** What the view lists in directory {@code dir}, sorted by name. */
  List<DirectoryEntry> list(String dir) throws IOException {
    List<DirectoryEntry> entries = rawList(dir);
    if (!layers.covers(dir)) {
      return entries;
    }
    Set<String> names = new HashSet<>();
    entries.forEach(e -> names.add(e.name()));
    boolean catalogRoot = raw(dir).map(RepositoryView::isCatalogRoot).orElse(false);
    TreeMap<String, DirectoryEntry> out = new TreeMap<>();
    for (DirectoryEntry e : entries) {
      String name = e.name();
      if (Whiteouts.isMarker(name)) {
        String target = Whiteouts.target(name);
        if (target != null && e.isRegular() && !names.contains(target)) {
          out.put(target, whiteout(Md5Path.child(dir, target), e));
        }
      } else if (!(catalogRoot && isCatalogMarkerName(name))) {
        out.put(name, e);
      }
    }
    return List.copyOf(out.values());
  }

  /** True if {@code dir} is a directory of a layer that holds {@code .wh..wh..opq}. */
  boolean isOpaque(String dir) throws IOException {
    return layers.covers(dir) && raw(Md5Path.child(dir, Whiteouts.OPAQUE)).isPresent();
  }

  /** True if {@code path} is shown with layer-view rules (its parent is layer content). */
  boolean inLayer(String path) {
    return !path.isEmpty() && layers.covers(Md5Path.parentPath(path));
  }

  private boolean isHiddenCatalogMarker(String dir, String name) throws IOException {
    return isCatalogMarkerName(name) && raw(dir).map(RepositoryView::isCatalogRoot).orElse(false);
  }

  private static boolean isCatalogMarkerName(String name) {
    return name.equals(CATALOG_MARKER) || name.equals(AUTOCATALOG_MARKER);
  }

  private static boolean isCatalogRoot(DirectoryEntry e) {
    return e.isNestedMountpoint() || e.isNestedRoot();
  }

  /** overlay2's whiteout: {@code mknod(path, S_IFCHR, 0)}, owned like the tar entry. */
  static DirectoryEntry whiteout(String path, DirectoryEntry marker) {
    return new DirectoryEntry(
        path,
        EntryKind.CHAR_DEVICE.typeBits(),
        0,
        0,
        marker.mtimeSeconds(),
        marker.mtimeNanos(),
        marker.uid(),
        marker.gid(),
        null,
        marker.hashAlgorithm(),
        marker.compression(),
        false,
        "",
        0,
        1,
        null,
        EntryFlags.FILE | EntryFlags.SPECIAL);
  }

  private Snapshot current() {
    Object key = source.revisionKey();
    Snapshot s = snapshot;
    if (!s.key().equals(key)) {
      s = Snapshot.of(key);
      snapshot = s;
    }
    return s;
  }

  private Optional<DirectoryEntry> raw(String path) throws IOException {
    Snapshot s = current();
    Optional<DirectoryEntry> known = s.entries().get(path);
    if (known != null) {
      return known;
    }
    if (!path.isEmpty()) {
      String dir = Md5Path.parentPath(path);
      DirIndex index = s.indexes().get(dir);
      if (index == null && s.misses().size() >= maxCachedPaths / 16 + 1) {
        s.misses().clear();
      }
      if (index == null && s.misses().merge(dir, 1, Integer::sum) > listAfterMisses) {
        index = index(s, dir);
      }
      if (index != null) {
        DirectoryEntry child = index.byName().get(Md5Path.name(path));
        if (child != null || index.complete()) {
          return Optional.ofNullable(child);
        }
      }
    }
    Optional<DirectoryEntry> e = source.lookup(path);
    if (s.entries().size() >= maxCachedPaths) {
      s.entries().clear();
    }
    s.entries().put(path, e);
    return e;
  }

  /** Asks the source for every child of {@code dir} once per revision. */
  private DirIndex index(Snapshot s, String dir) throws IOException {
    DirIndex index;
    try {
      index =
          source
              .children(dir)
              .map(
                  children -> {
                    Map<String, DirectoryEntry> byName = new HashMap<>(children.size() * 2);
                    children.forEach(c -> byName.put(c.name(), c));
                    return new DirIndex(byName, true);
                  })
              .orElse(DirIndex.UNKNOWN);
    } catch (NoSuchFileException | NotDirectoryException e) {
      index = new DirIndex(Map.of(), true); // no directory there: no children either
    }
    if (s.indexedEntries().addAndGet(index.byName().size() + 1) > maxCachedPaths) {
      s.indexes().clear(); // whole indexes go, never part of one
      s.indexedEntries().set(index.byName().size() + 1);
    }
    s.indexes().put(dir, index);
    s.misses().remove(dir);
    return index;
  }

  private List<DirectoryEntry> rawList(String dir) throws IOException {
    Snapshot s = current();
    List<DirectoryEntry> known = s.listings().get(dir);
    if (known != null) {
      return known;
    }
    List<DirectoryEntry> entries = new ArrayList<>(source.list(dir));
    entries.sort(Comparator.comparing(DirectoryEntry::name));
    List<DirectoryEntry> copy = List.copyOf(entries);
    if (s.listings().size() >= maxCachedPaths / 16 + 1) {
      s.listings().clear();
    }
    s.listings().put(dir, copy);
    if (s.entries().size() + copy.size() < maxCachedPaths) {
      for (DirectoryEntry e : copy) {
        s.entries().putIfAbsent(e.path(), Optional.of(e));
      }
    }
    return copy;
  }
}
