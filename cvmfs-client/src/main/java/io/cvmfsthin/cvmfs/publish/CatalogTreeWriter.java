package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.catalog.XattrBlob;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Edge: writes the catalogs of one publication (spec §11.4) on top of a catalog tree, the current
 * revision's or the one an earlier publication of the same transaction made. The catalogs on the
 * way from the root to the published path are edited copies; whatever was at the path is deleted
 * (nested catalogs below it included) and the new tree inserted; the new tree's nested catalogs are
 * written fresh, children before parents; every other nested catalog is reused by hash. Each
 * written catalog gets revision + 1, {@code last_modified}, {@code previous_revision} and all 24
 * counters: {@code self_*} counted from its rows, {@code subtree_*} carried over and corrected by
 * the totals of the child catalogs that were removed, replaced or added. A catalog this transaction
 * wrote already keeps its revision and previous_revision ({@link TransactionCatalogs}). Mountpoint
 * entries (flags 3) and nested roots (flags 33) keep the same metadata and link count.
 */
final class CatalogTreeWriter implements AutoCloseable {
  private final ObjectStore store;
  private final ContentWriter contents;
  private final Path work;
  private final RepositorySettings settings;
  private final long now;
  private final long rootRevision;
  private final TransactionCatalogs written;
  private final List<Opened> chain = new ArrayList<>();
  private int files;

  /** A catalog written to the store: name, uncompressed size, self + subtree counters. */
  record Built(ContentHash hash, long sizeBytes, long[] totals) {}

  /** A catalog of the current revision, inflated and open for editing. */
  private record Opened(
      String mountpoint, ContentHash hash, CatalogDatabase db, CatalogCounters old) {}

  CatalogTreeWriter(
      ObjectStore store,
      ContentWriter contents,
      Path work,
      RepositorySettings settings,
      long now,
      long rootRevision,
      TransactionCatalogs written) {
    this.rootRevision = rootRevision;
    this.written = written;
    this.store = store;
    this.contents = contents;
    this.work = work;
    this.settings = settings;
    this.now = now;
  }

  /**
   * Opens the catalogs from the root down to the one that holds {@code path}'s entry (for a
   * mountpoint: the parent catalog, which holds the flags-3 entry).
   */
  void openChain(ContentHash root, String path) throws IOException {
    Opened cur = open(root, "");
    chain.add(cur);
    boolean descended = true;
    while (descended && !path.isEmpty()) {
      descended = false;
      for (CatalogDatabase.NestedRef ref : cur.db().nestedCatalogs().values()) {
        if (!ref.path().equals(path) && Md5Path.isAtOrBelow(path, ref.path())) {
          cur = open(ref.hash(), ref.path());
          chain.add(cur);
          descended = true;
          break;
        }
      }
    }
  }

  /** Whether {@code path} exists (after {@link #openChain}). */
  boolean exists(String path) throws IOException {
    return lookup(path) != null;
  }

  /** The row of {@code path} (after {@link #openChain}), or null. */
  CatalogDatabase.Row lookup(String path) throws IOException {
    return last().db().lookup(path);
  }

  /** The entry of the repository root, whose metadata a full replacement keeps. */
  CatalogDatabase.Row rootRow() throws IOException {
    return chain.get(0).db().lookup("");
  }

  /** Replaces the whole repository content; the root entry keeps its metadata. */
  Built replaceRoot(SourceNode tree) throws IOException {
    Opened old = chain.get(0);
    CatalogDatabase.Row rootRow = old.db().lookup("");
    if (rootRow == null) {
      throw new IOException("root catalog " + old.hash() + " has no root entry");
    }
    CatalogDatabase db = CatalogDatabase.create(newFile());
    try {
      db.insert(rootRow.withLinkCount(2 + tree.subdirectories()).withFlags(EntryFlags.DIR));
      long[] acc = new long[CatalogCounters.N];
      addChildren(db, tree, "", acc);
      String previous =
          written.writtenHere(old.hash())
              ? old.db().property("previous_revision")
              : old.hash().toString();
      return finish(db, new CatalogCounters(db.countSelf(), acc), rootRevision, previous, true);
    } finally {
      db.close();
    }
  }

  /**
   * Replaces whatever is at {@code path} (not the root) with {@code tree}; a null {@code tree}
   * removes it.
   */
  Built replace(String path, SourceNode tree, boolean nested) throws IOException {
    Opened k = last();
    CatalogDatabase db = k.db();
    String parent = Md5Path.parentPath(path);
    ensureDirectories(db, k.mountpoint(), parent);
    CatalogDatabase.Row old = db.lookup(path);
    List<CatalogDatabase.NestedRef> removed = db.deleteSubtree(path);
    long[] acc = new long[CatalogCounters.N];
    Md5Path parentMd5 = Md5Path.of(parent);
    if (tree == null) {
      // removal: nothing is inserted
    } else if (nested || (tree.isDirectory() && tree.hasCatalogMarker())) {
      addMarkerIfMissing(tree);
      Built child = writeNested(tree, path);
      db.insert(row(tree, path, parentMd5, 2 + tree.subdirectories(), false, true));
      db.putNested(path, child.hash(), child.sizeBytes());
      acc = CatalogCounters.plus(acc, child.totals());
    } else {
      addEntry(db, tree, path, parentMd5, linkCount(tree), acc);
    }
    int delta = (tree != null && tree.isDirectory() ? 1 : 0) - (old != null && isDir(old) ? 1 : 0);
    if (delta != 0) {
      CatalogDatabase.Row p = db.lookup(parent);
      db.updateHardlinks(parent, p.withLinkCount(p.linkCount() + delta).hardlinks());
    }
    for (CatalogDatabase.NestedRef ref : removed) {
      acc = CatalogCounters.minus(acc, totalsOf(ref));
    }
    // Children before parents, up to the root.
    Built built = null;
    int childRootLinks = 0;
    for (int i = chain.size() - 1; i >= 0; i--) {
      Opened c = chain.get(i);
      long[] subtree = CatalogCounters.plus(c.old().subtree(), acc);
      if (built != null) {
        Opened child = chain.get(i + 1);
        c.db().putNested(child.mountpoint(), built.hash(), built.sizeBytes());
        CatalogDatabase.Row mountpoint = c.db().lookup(child.mountpoint());
        c.db()
            .updateHardlinks(
                child.mountpoint(), mountpoint.withLinkCount(childRootLinks).hardlinks());
        subtree =
            CatalogCounters.plus(
                c.old().subtree(), CatalogCounters.minus(built.totals(), child.old().totals()));
      }
      long revision;
      String previous;
      if (written.writtenHere(c.hash())) {
        // edited again in this transaction: it counts as touched once
        revision = c.db().longProperty("revision", 0);
        previous = c.db().property("previous_revision");
      } else {
        revision = i == 0 ? rootRevision : c.db().longProperty("revision", 0) + 1;
        previous = c.hash().toString();
      }
      childRootLinks = c.db().lookup(c.mountpoint()).linkCount();
      built =
          finish(
              c.db(), new CatalogCounters(c.db().countSelf(), subtree), revision, previous, i == 0);
    }
    return built;
  }

  /** Number of regular files and chunks written as catalog rows so far. */
  int files() {
    return files;
  }

  private void ensureDirectories(CatalogDatabase db, String mountpoint, String dir)
      throws IOException {
    if (dir.equals(mountpoint)) {
      return;
    }
    ensureDirectories(db, mountpoint, Md5Path.parentPath(dir));
    CatalogDatabase.Row r = db.lookup(dir);
    if (r != null) {
      if (!isDir(r)) {
        throw new IOException("cannot publish below " + dir + ": it is not a directory");
      }
      return;
    }
    SourceNode d = SourceNode.directory(now);
    String parent = Md5Path.parentPath(dir);
    db.insert(row(d, dir, Md5Path.of(parent), 2, false, false));
    CatalogDatabase.Row p = db.lookup(parent);
    db.updateHardlinks(parent, p.withLinkCount(p.linkCount() + 1).hardlinks());
  }

  private Built writeNested(SourceNode node, String path) throws IOException {
    CatalogDatabase db = CatalogDatabase.create(newFile());
    try {
      db.setProperty("root_prefix", path);
      db.insert(
          row(
              node,
              path,
              Md5Path.of(Md5Path.parentPath(path)),
              2 + node.subdirectories(),
              true,
              false));
      long[] acc = new long[CatalogCounters.N];
      addChildren(db, node, path, acc);
      return finish(
          db, new CatalogCounters(db.countSelf(), acc), 1, CatalogDatabase.NULL_HASH, false);
    } finally {
      db.close();
    }
  }

  /** Inserts a directory's children; hard links are grouped per directory (spec §6.6). */
  private void addChildren(CatalogDatabase db, SourceNode dir, String dirPath, long[] acc)
      throws IOException {
    Map<SourceNode, Integer> links = new IdentityHashMap<>();
    for (SourceNode c : dir.children.values()) {
      if (!c.isDirectory()) {
        links.merge(c, 1, Integer::sum);
      }
    }
    Map<SourceNode, Integer> groups = new IdentityHashMap<>();
    Md5Path parent = Md5Path.of(dirPath);
    for (Map.Entry<String, SourceNode> e : dir.children.entrySet()) {
      SourceNode c = e.getValue();
      String path = Md5Path.child(dirPath, e.getKey());
      int count = links.getOrDefault(c, 1);
      long hardlinks = linkCount(c);
      if (count > 1) {
        int group = groups.computeIfAbsent(c, x -> db.newHardlinkGroup());
        hardlinks = ((long) group << 32) | count;
      }
      if (c.isDirectory() && c.hasCatalogMarker()) {
        Built child = writeNested(c, path);
        db.insert(row(c, path, parent, hardlinks, false, true));
        db.putNested(path, child.hash(), child.sizeBytes());
        long[] sum = CatalogCounters.plus(acc, child.totals());
        System.arraycopy(sum, 0, acc, 0, acc.length);
      } else {
        addEntry(db, c, path, parent, hardlinks, acc);
      }
    }
  }

  private void addEntry(
      CatalogDatabase db, SourceNode n, String path, Md5Path parent, long hardlinks, long[] acc)
      throws IOException {
    CatalogDatabase.Row r = row(n, path, parent, hardlinks, false, false);
    db.insert(r);
    if (n.kind == EntryKind.REGULAR && n.content.chunked()) {
      db.insertChunks(r.md5path(), n.content.chunks());
    }
    if (n.isDirectory()) {
      addChildren(db, n, path, acc);
    } else {
      files++;
    }
  }

  private CatalogDatabase.Row row(
      SourceNode n,
      String path,
      Md5Path parent,
      long hardlinks,
      boolean nestedRoot,
      boolean mountpoint) {
    boolean regular = n.kind == EntryKind.REGULAR;
    boolean chunked = regular && n.content.chunked();
    ContentHash hash = regular ? n.content.hash() : null;
    DirectoryEntry e =
        new DirectoryEntry(
            path,
            n.mode(),
            n.sizeBytes,
            n.rdev,
            n.mtimeSeconds,
            0,
            n.uid,
            n.gid,
            hash,
            settings.hashAlgorithm(),
            regular ? settings.compression() : Compression.ZLIB,
            chunked,
            n.symlink,
            0,
            1,
            null,
            0);
    long size =
        switch (n.kind) {
          case REGULAR -> n.content.sizeBytes();
          case CHAR_DEVICE, BLOCK_DEVICE -> n.rdev;
          case FIFO, SOCKET -> 0;
          default -> n.sizeBytes;
        };
    return new CatalogDatabase.Row(
        Md5Path.of(path),
        parent,
        hardlinks,
        hash == null ? null : hash.digest(),
        size,
        n.mode(),
        n.mtimeSeconds,
        null,
        EntryFlags.of(e, nestedRoot, mountpoint),
        Md5Path.name(path),
        n.symlink,
        n.uid,
        n.gid,
        XattrBlob.encode(n.xattrs));
  }

  private Built finish(
      CatalogDatabase db, CatalogCounters counters, long revision, String previous, boolean root)
      throws IOException {
    if (root) {
      db.setProperty("TTL", Long.toString(settings.ttlSeconds()));
    }
    for (Map.Entry<String, String> p :
        CatalogDatabase.revisionProperties(revision, now, previous).entrySet()) {
      db.setProperty(p.getKey(), p.getValue());
    }
    db.writeCounters(counters);
    List<ContentHash> nested = new ArrayList<>();
    for (CatalogDatabase.NestedRef ref : db.nestedCatalogs().values()) {
      nested.add(ref.hash());
    }
    db.finish();
    Path file = db.file();
    long size = Files.size(file);
    ContentHash hash = store.put(file, ObjectType.CATALOG, Compression.ZLIB);
    Files.deleteIfExists(file);
    written.add(hash, nested);
    return new Built(hash, size, counters.totals());
  }

  private void addMarkerIfMissing(SourceNode dir) throws IOException {
    if (!dir.hasCatalogMarker()) {
      SourceNode marker = new SourceNode(EntryKind.REGULAR);
      marker.permissions = 0664; // as `cvmfs_server ingest -c` makes it
      marker.mtimeSeconds = now;
      marker.content = contents.write(java.io.InputStream.nullInputStream(), 0, "marker");
      dir.children.put(SourceNode.CATALOG_MARKER, marker);
    }
  }

  private long[] totalsOf(CatalogDatabase.NestedRef ref) throws IOException {
    Path file = newFile();
    store.inflateTo(ref.hash(), ObjectType.CATALOG, file, Long.MAX_VALUE);
    try (CatalogDatabase db =
        CatalogDatabase.open(file, "catalog " + ref.hash() + " at " + ref.path())) {
      return db.counters().totals();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private Opened open(ContentHash hash, String mountpoint) throws IOException {
    Path file = newFile();
    store.inflateTo(hash, ObjectType.CATALOG, file, Long.MAX_VALUE);
    CatalogDatabase db =
        CatalogDatabase.open(
            file, "catalog " + hash + " at " + (mountpoint.isEmpty() ? "/" : mountpoint));
    return new Opened(mountpoint, hash, db, db.counters());
  }

  private Opened last() {
    return chain.get(chain.size() - 1);
  }

  private static boolean isDir(CatalogDatabase.Row r) {
    return EntryFlags.has(r.flags(), EntryFlags.DIR);
  }

  private static long linkCount(SourceNode n) {
    return n.isDirectory() ? 2 + n.subdirectories() : 1;
  }

  private Path newFile() throws IOException {
    return Files.createTempFile(work, "catalog-", ".db");
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (Opened o : chain) {
      try {
        o.db().close();
        Files.deleteIfExists(o.db().file());
      } catch (IOException e) {
        failure = e;
      }
    }
    chain.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
