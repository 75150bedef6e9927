package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.manifest.KeyFiles;
import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.manifest.TrustChain;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Test helper: reads a published repository the way a client would, without the client: verifies
 * the manifest's trust chain with the master key, walks every catalog from the root (each object
 * hash-checked), checks the catalog invariants (counters, nested roots and mountpoints,
 * root_prefix, link counts) and assembles file contents from objects and chunks.
 */
final class RepositoryInspector {
  final Path repo;
  final Manifest manifest;

  /** path → row, over all catalogs (a nested root wins over its mountpoint). */
  final Map<String, Entry> entries = new TreeMap<>();

  /** mountpoint → catalog properties. */
  final Map<String, Map<String, String>> catalogs = new TreeMap<>();

  /** mountpoint → the catalog's object name. */
  final Map<String, ContentHash> catalogHashes = new TreeMap<>();

  /** mountpoint → stored statistics rows. */
  final Map<String, Map<String, Long>> statistics = new TreeMap<>();

  record Entry(
      String path,
      String catalog,
      long hardlinks,
      byte[] hash,
      long size,
      int mode,
      long mtime,
      int flags,
      String symlink,
      long uid,
      long gid,
      byte[] xattr,
      List<long[]> chunkRows,
      List<byte[]> chunkHashes) {
    int linkCount() {
      return (int) hardlinks;
    }

    int group() {
      return (int) (hardlinks >>> 32);
    }
  }

  private RepositoryInspector(Path repo, Manifest manifest) {
    this.repo = repo;
    this.manifest = manifest;
  }

  /** Verifies and walks the repository {@code storage/fqrn} with the master key in {@code keys}. */
  static RepositoryInspector inspect(Path storage, Path keys, String fqrn) throws Exception {
    Path repo = storage.resolve(fqrn);
    TrustChain chain =
        new TrustChain(
            fqrn,
            List.of(
                KeyFiles.parsePublicKey("pub", Files.readAllBytes(keys.resolve(fqrn + ".pub")))),
            Set.of(),
            Clock.systemUTC());
    TrustChain.SignedManifest sm =
        chain.parseManifest(Files.readAllBytes(repo.resolve(".cvmfspublished")));
    byte[] cert = objectInflated(repo, sm.manifest().certificate(), ObjectType.CERTIFICATE);
    Manifest m = chain.verify(sm, Files.readAllBytes(repo.resolve(".cvmfswhitelist")), cert);
    RepositoryInspector r = new RepositoryInspector(repo, m);
    if (m.reflog() != null) {
      assertThat(m.rootCatalog().algorithm().hash(Files.readAllBytes(repo.resolve(".cvmfsreflog"))))
          .as("Y is the hash of .cvmfsreflog")
          .isEqualTo(m.reflog());
    }
    Path db = r.catalogFile(m.rootCatalog());
    assertThat(Files.size(db)).as("B").isEqualTo(m.rootCatalogSizeBytes());
    long[] totals = r.walk(m.rootCatalog(), "", null);
    assertThat(totals).isNotNull();
    Map<String, String> props = r.catalogs.get("");
    assertThat(props.get("revision")).isEqualTo(Long.toString(m.revision()));
    assertThat(Long.parseLong(props.get("last_modified")))
        .isLessThanOrEqualTo(m.publishedEpochSeconds());
    return r;
  }

  /**
   * Walks one revision from its root catalog (any revision, not only the manifest's), with the same
   * checks as {@link #inspect}: every catalog, object and chunk present and hash-checked.
   */
  static RepositoryInspector walkRevision(Path repo, ContentHash root) throws Exception {
    RepositoryInspector r = new RepositoryInspector(repo, null);
    r.walk(root, "", null);
    return r;
  }

  /** The object paths ({@code data/xx/…}) this revision's catalogs, files and chunks occupy. */
  Set<String> objectPaths() {
    Set<String> out = new java.util.TreeSet<>();
    for (ContentHash c : catalogHashes.values()) {
      out.add(c.objectPath(ObjectType.CATALOG));
    }
    for (Entry e : entries.values()) {
      HashAlgorithm a = HashAlgorithm.fromFlags(e.flags());
      if (e.hash() != null && (e.flags() & EntryFlags.EXTERNAL) == 0) {
        out.add(ContentHash.of(a, e.hash()).objectPath(ObjectType.FILE));
      }
      for (byte[] h : e.chunkHashes()) {
        out.add(ContentHash.of(a, h).objectPath(ObjectType.PARTIAL));
      }
    }
    return out;
  }

  /** Every regular file's content, each object hash-checked. */
  Map<String, byte[]> contents() throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    for (Entry e : entries.values()) {
      int f = e.flags();
      if ((f & EntryFlags.FILE) != 0 && (f & 24) == 0) {
        out.put(e.path(), content(e.path()));
      }
    }
    return out;
  }

  Path catalogFile(ContentHash h) throws Exception {
    Path f = Files.createTempFile("inspect-", ".db");
    f.toFile().deleteOnExit();
    Files.write(f, objectInflated(repo, h, ObjectType.CATALOG));
    return f;
  }

  /** Walks one catalog and its children; returns its self + subtree totals. */
  private long[] walk(ContentHash hash, String mountpoint, Entry mountpointEntry) throws Exception {
    Path file = catalogFile(hash);
    long[] self = new long[12];
    long[] childTotals = new long[12];
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      Map<String, String> props = new LinkedHashMap<>();
      try (ResultSet rs = s.executeQuery("SELECT key, value FROM properties ORDER BY rowid")) {
        while (rs.next()) {
          props.put(rs.getString(1), rs.getString(2));
        }
      }
      catalogs.put(mountpoint, props);
      catalogHashes.put(mountpoint, hash);
      assertThat(props).containsEntry("schema", "2.5").containsEntry("schema_revision", "7");
      if (mountpoint.isEmpty()) {
        assertThat(props).doesNotContainKey("root_prefix");
      } else {
        assertThat(props).containsEntry("root_prefix", mountpoint);
      }
      Map<String, Long> stats = new TreeMap<>();
      try (ResultSet rs = s.executeQuery("SELECT counter, value FROM statistics")) {
        while (rs.next()) {
          stats.put(rs.getString(1), rs.getLong(2));
        }
      }
      assertThat(stats).hasSize(24);
      statistics.put(mountpoint, stats);
      // rows, keyed by md5 to rebuild paths
      Map<Md5Path, List<Object[]>> byParent = new HashMap<>();
      Map<Md5Path, Object[]> byPath = new HashMap<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT md5path_1, md5path_2, parent_1, parent_2, hardlinks, hash, size, mode,"
                  + " mtime, flags, name, symlink, uid, gid, xattr, mtimens FROM catalog")) {
        while (rs.next()) {
          Object[] row = new Object[16];
          for (int i = 0; i < 16; i++) {
            row[i] = rs.getObject(i + 1);
          }
          assertThat(row[10]).as("name NOT NULL").isNotNull();
          assertThat(row[11]).as("symlink NOT NULL").isNotNull();
          assertThat(row[15]).as("mtimens NULL").isNull();
          Md5Path p = new Md5Path(num(row[0]), num(row[1]));
          byPath.put(p, row);
          byParent
              .computeIfAbsent(new Md5Path(num(row[2]), num(row[3])), k -> new ArrayList<>())
              .add(row);
        }
      }
      Map<Md5Path, List<long[]>> chunks = new HashMap<>();
      Map<Md5Path, List<byte[]>> chunkHashes = new HashMap<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT md5path_1, md5path_2, offset, size, hash FROM chunks ORDER BY offset")) {
        while (rs.next()) {
          Md5Path p = new Md5Path(rs.getLong(1), rs.getLong(2));
          chunks
              .computeIfAbsent(p, k -> new ArrayList<>())
              .add(new long[] {rs.getLong(3), rs.getLong(4)});
          chunkHashes.computeIfAbsent(p, k -> new ArrayList<>()).add(rs.getBytes(5));
          self[6]++;
        }
      }
      Map<String, ContentHash> nested = new TreeMap<>();
      Map<String, Long> nestedSizes = new TreeMap<>();
      try (ResultSet rs = s.executeQuery("SELECT path, sha1, size FROM nested_catalogs")) {
        while (rs.next()) {
          nested.put(rs.getString(1), ContentHash.parse(rs.getString(2)));
          nestedSizes.put(rs.getString(1), rs.getLong(3));
        }
      }
      self[4] = nested.size();
      // traverse from the catalog root
      Object[] rootRow = byPath.get(Md5Path.of(mountpoint));
      assertThat(rootRow).as("root entry of catalog " + mountpoint).isNotNull();
      int rootFlags = (int) num(rootRow[9]);
      if (mountpoint.isEmpty()) {
        assertThat(rootFlags).isEqualTo(EntryFlags.DIR);
        assertThat(num(rootRow[2])).isZero();
        assertThat(num(rootRow[3])).isZero();
      } else {
        assertThat(rootFlags).isEqualTo(EntryFlags.DIR | EntryFlags.NESTED_ROOT);
        assertThat(mountpointEntry.flags())
            .isEqualTo(EntryFlags.DIR | EntryFlags.NESTED_MOUNTPOINT);
        assertThat(num(rootRow[4]))
            .as("link count of nested root = mountpoint")
            .isEqualTo(mountpointEntry.hardlinks());
        assertThat(num(rootRow[7])).isEqualTo(mountpointEntry.mode());
        assertThat(new Md5Path(num(rootRow[2]), num(rootRow[3])))
            .isEqualTo(Md5Path.of(Md5Path.parentPath(mountpoint)));
      }
      int seen = 0;
      List<String> todo = new ArrayList<>(List.of(mountpoint));
      while (!todo.isEmpty()) {
        String path = todo.remove(todo.size() - 1);
        Object[] row = byPath.get(Md5Path.of(path));
        seen++;
        int flags = (int) num(row[9]);
        Entry e =
            new Entry(
                path,
                mountpoint,
                num(row[4]),
                (byte[]) row[5],
                num(row[6]),
                (int) num(row[7]),
                num(row[8]),
                flags,
                (String) row[11],
                num(row[12]),
                num(row[13]),
                (byte[]) row[14],
                chunks.getOrDefault(Md5Path.of(path), List.of()),
                chunkHashes.getOrDefault(Md5Path.of(path), List.of()));
        count(self, e);
        boolean isMountpoint = (flags & EntryFlags.NESTED_MOUNTPOINT) != 0;
        if (!isMountpoint || !entries.containsKey(path)) {
          entries.put(path, e);
        }
        List<Object[]> kids = byParent.getOrDefault(Md5Path.of(path), List.of());
        if ((flags & EntryFlags.DIR) != 0) {
          int subdirs = 0;
          for (Object[] k : kids) {
            if ((num(k[9]) & EntryFlags.DIR) != 0) {
              subdirs++;
            }
          }
          if (!isMountpoint) {
            assertThat(e.linkCount()).as("link count of " + path).isEqualTo(2 + subdirs);
          } else {
            assertThat(kids).as("mountpoint " + path + " is empty in the parent").isEmpty();
            assertThat(nested).as("nested row for " + path).containsKey(path);
            Path childFile = catalogFile(nested.get(path));
            assertThat(Files.size(childFile)).isEqualTo(nestedSizes.get(path));
            long[] t = walk(nested.get(path), path, e);
            for (int i = 0; i < 12; i++) {
              childTotals[i] += t[i];
            }
          }
          for (Object[] k : kids) {
            todo.add(Md5Path.child(path, (String) k[10]));
          }
        } else {
          assertThat(kids).isEmpty();
        }
      }
      assertThat(seen)
          .as("every row of catalog " + mountpoint + " is reachable")
          .isEqualTo(byPath.size());
      List<String> names = io.cvmfsthin.cvmfs.catalog.CatalogSchema.COUNTERS;
      for (int i = 0; i < 12; i++) {
        assertThat(stats.get("self_" + names.get(i)))
            .as(mountpoint + " self_" + names.get(i))
            .isEqualTo(self[i]);
        assertThat(stats.get("subtree_" + names.get(i)))
            .as(mountpoint + " subtree_" + names.get(i))
            .isEqualTo(childTotals[i]);
      }
    }
    long[] totals = new long[12];
    for (int i = 0; i < 12; i++) {
      totals[i] = self[i] + childTotals[i];
    }
    return totals;
  }

  private void count(long[] self, Entry e) throws Exception {
    int f = e.flags();
    boolean regular = (f & 4) != 0 && (f & 24) == 0;
    if (regular) {
      self[0]++;
      self[7] += e.size();
      // object checks: every regular file has its object(s)
      HashAlgorithm a = HashAlgorithm.fromFlags(f);
      if ((f & EntryFlags.CHUNKED) != 0) {
        self[5]++;
        self[8] += e.size();
        assertThat(e.hash()).isNull();
        long off = 0;
        for (int i = 0; i < e.chunkRows().size(); i++) {
          assertThat(e.chunkRows().get(i)[0]).isEqualTo(off);
          off += e.chunkRows().get(i)[1];
          assertThat(
                  Files.exists(
                      repo.resolve(
                          ContentHash.of(a, e.chunkHashes().get(i))
                              .objectPath(ObjectType.PARTIAL))))
              .isTrue();
        }
        assertThat(off).as("chunks of " + e.path() + " sum to its size").isEqualTo(e.size());
        assertThat(e.chunkRows().size()).isGreaterThan(1);
      } else {
        assertThat(e.hash()).as("hash of " + e.path()).isNotNull();
        assertThat(
                Files.exists(repo.resolve(ContentHash.of(a, e.hash()).objectPath(ObjectType.FILE))))
            .isTrue();
      }
    }
    if ((f & 8) != 0) {
      self[1]++;
    }
    if ((f & 16) != 0) {
      self[2]++;
    }
    if ((f & 1) != 0) {
      self[3]++;
    }
    if (e.xattr() != null) {
      self[9]++;
    }
  }

  /** The content of a regular file, from its object or chunks, each hash-checked. */
  byte[] content(String path) throws Exception {
    Entry e = entries.get(path);
    assertThat(e).as(path).isNotNull();
    HashAlgorithm a = HashAlgorithm.fromFlags(e.flags());
    Compression c = Compression.fromFlags(e.flags());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if ((e.flags() & EntryFlags.CHUNKED) != 0) {
      for (byte[] h : e.chunkHashes()) {
        out.write(object(repo, ContentHash.of(a, h), ObjectType.PARTIAL, c));
      }
    } else {
      out.write(object(repo, ContentHash.of(a, e.hash()), ObjectType.FILE, c));
    }
    byte[] bytes = out.toByteArray();
    assertThat((long) bytes.length).isEqualTo(e.size());
    return bytes;
  }

  static byte[] objectInflated(Path repo, ContentHash h, ObjectType t) throws IOException {
    return object(repo, h, t, Compression.ZLIB);
  }

  static byte[] object(Path repo, ContentHash h, ObjectType t, Compression c) throws IOException {
    byte[] raw = Files.readAllBytes(repo.resolve(h.objectPath(t)));
    assertThat(h.algorithm().hash(raw))
        .as("object " + h + t.suffix() + " hashes to its name")
        .isEqualTo(h);
    return c == Compression.ZLIB ? Zlib.inflate(raw, 1L << 31) : raw;
  }

  static long num(Object o) {
    return o == null ? 0 : ((Number) o).longValue();
  }

  /** Rows of a SQL query on a catalog or history file, for shape comparisons. */
  static List<List<Object>> query(Path db, String sql) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        out.add(row);
      }
    }
    return out;
  }
}
