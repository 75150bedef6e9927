package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.sqlite.Catalog;
import io.cvmfsthin.cvmfs.sqlite.NestedCatalogRef;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The catalogs of one revision, attached lazily (spec §7): a path is looked up in the deepest
 * attached catalog whose mountpoint lies strictly above it; if absent there, the nested catalog
 * whose mountpoint is a prefix of the path is fetched, attached and searched in turn. A nested
 * mountpoint itself is answered from the parent catalog's entry, as the stock client does.
 *
 * <p>Thread-safe: {@link #attached} is a concurrent map; a catalog opened twice by a race is closed
 * again. Owned by {@link RepositoryClient}, which closes it when the revision is retired.
 */
final class CatalogTree implements AutoCloseable {
  /** Fetches, verifies and opens one catalog. */
  @FunctionalInterface
  interface CatalogLoader {
    Catalog load(ContentHash hash, long sizeBytes, String mountpoint) throws IOException;
  }

  /** An entry and the catalog that holds it. */
  record Located(Catalog catalog, DirectoryEntry entry) {}

  private final ContentHash rootHash;
  private final Catalog root;
  private final CatalogLoader loader;
  // mountpoint -> attached catalog; "" is the root catalog
  private final Map<String, Catalog> attached = new ConcurrentHashMap<>();

  CatalogTree(ContentHash rootHash, Catalog root, CatalogLoader loader) {
    this.rootHash = rootHash;
    this.root = root;
    this.loader = loader;
    attached.put("", root);
  }

  ContentHash rootHash() {
    return rootHash;
  }

  Catalog root() {
    return root;
  }

  /** The entry at {@code path} with its catalog, or empty if the repository has none. */
  Optional<Located> locate(String path) throws IOException {
    Catalog c = deepestAbove(path);
    while (true) {
      Optional<DirectoryEntry> e = c.lookup(path);
      if (e.isPresent()) {
        return Optional.of(new Located(c, e.get()));
      }
      NestedCatalogRef next = null;
      for (NestedCatalogRef ref : c.nestedCatalogs()) {
        if (!ref.mountpoint().equals(path) && Md5Path.isAtOrBelow(path, ref.mountpoint())) {
          next = ref;
          break;
        }
      }
      if (next == null) {
        return Optional.empty();
      }
      c = attach(next);
    }
  }

  /** The catalog mounted at {@code mountpoint}, a nested mountpoint listed in {@code parent}. */
  Catalog child(Catalog parent, String mountpoint) throws IOException {
    Catalog known = attached.get(mountpoint);
    if (known != null) {
      return known;
    }
    for (NestedCatalogRef ref : parent.nestedCatalogs()) {
      if (ref.mountpoint().equals(mountpoint)) {
        return attach(ref);
      }
    }
    throw new IOException(
        parent + ": '" + mountpoint + "' is flagged as nested catalog but not listed");
  }

  private Catalog deepestAbove(String path) {
    Catalog best = root;
    int bestLength = -1;
    for (Map.Entry<String, Catalog> e : attached.entrySet()) {
      String mp = e.getKey();
      if (!mp.equals(path) && Md5Path.isAtOrBelow(path, mp) && mp.length() > bestLength) {
        best = e.getValue();
        bestLength = mp.length();
      }
    }
    return best;
  }

  private Catalog attach(NestedCatalogRef ref) throws IOException {
    Catalog known = attached.get(ref.mountpoint());
    if (known != null) {
      return known;
    }
    Catalog opened = loader.load(ref.hash(), ref.sizeBytes(), ref.mountpoint());
    Catalog raced = attached.putIfAbsent(ref.mountpoint(), opened);
    if (raced != null) {
      opened.close();
      return raced;
    }
    return opened;
  }

  @Override
  public void close() {
    attached.values().forEach(Catalog::close);
    attached.clear();
  }
}
