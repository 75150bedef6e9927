package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.CatalogSchema;
import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.object.ContentHash;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sqlite.SQLiteConfig;

/**
 * Edge: one file catalog being written (spec §6): a fresh database with the stock DDL, or an
 * inflated copy of an existing catalog being edited. All changes happen in one transaction that
 * {@link #finish()} commits (vacuuming when rows were deleted); {@link #close()} without it rolls
 * back. Owned by one publish.
 */
final class CatalogDatabase implements AutoCloseable {
  /** The text of a null hash, as the stock tools write a new catalog's previous_revision. */
  static final String NULL_HASH = "0000000000000000000000000000000000000000";

  private static final String COLUMNS =
      "md5path_1, md5path_2, parent_1, parent_2, hardlinks, hash, size, mode, mtime, mtimens,"
          + " flags, name, symlink, uid, gid, xattr";

  private final Path file;
  private final Connection conn;
  private final PreparedStatement insert;
  private final PreparedStatement lookup;
  private final PreparedStatement children;
  private final PreparedStatement insertChunk;
  private final PreparedStatement deleteRow;
  private final PreparedStatement deleteChunks;
  private int nextHardlinkGroup;
  private boolean deleted;

  /**
   * A catalog row with its raw column values.
   *
   * @param hardlinks {@code (group << 32) | linkcount}
   * @param mtimens null unless known
   * @param xattr the serialized blob or null
   */
  record Row(
      Md5Path md5path,
      Md5Path parent,
      long hardlinks,
      byte[] hash,
      long size,
      int mode,
      long mtime,
      Long mtimens,
      int flags,
      String name,
      String symlink,
      long uid,
      long gid,
      byte[] xattr) {

    int linkCount() {
      return (int) hardlinks;
    }

    Row withLinkCount(int count) {
      return withHardlinks((hardlinks & 0xffffffff00000000L) | (count & 0xffffffffL));
    }

    Row withHardlinks(long h) {
      return new Row(
          md5path, parent, h, hash, size, mode, mtime, mtimens, flags, name, symlink, uid, gid,
          xattr);
    }

    Row withFlags(int f) {
      return new Row(
          md5path, parent, hardlinks, hash, size, mode, mtime, mtimens, f, name, symlink, uid, gid,
          xattr);
    }

    Row at(Md5Path newPath, Md5Path newParent, String newName) {
      return new Row(
          newPath, newParent, hardlinks, hash, size, mode, mtime, mtimens, flags, newName, symlink,
          uid, gid, xattr);
    }
  }

  /** A {@code nested_catalogs} row. */
  record NestedRef(String path, ContentHash hash, long sizeBytes) {}

  private CatalogDatabase(Path file, boolean fresh) throws IOException {
    this.file = file;
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.enforceForeignKeys(true);
      config.setJournalMode(SQLiteConfig.JournalMode.MEMORY);
      config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
      config.setGetGeneratedKeys(false);
      conn = config.createConnection("jdbc:sqlite:" + file);
      if (fresh) {
        try (Statement s = conn.createStatement()) {
          for (String ddl : CatalogSchema.DDL) {
            s.execute(ddl);
          }
        }
      }
      conn.setAutoCommit(false);
      insert =
          conn.prepareStatement(
              "INSERT INTO catalog (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
      lookup =
          conn.prepareStatement(
              "SELECT " + COLUMNS + " FROM catalog WHERE md5path_1=? AND md5path_2=?");
      children =
          conn.prepareStatement(
              "SELECT " + COLUMNS + " FROM catalog WHERE parent_1=? AND parent_2=?");
      insertChunk =
          conn.prepareStatement(
              "INSERT INTO chunks (md5path_1, md5path_2, offset, size, hash) VALUES (?,?,?,?,?)");
      deleteRow = conn.prepareStatement("DELETE FROM catalog WHERE md5path_1=? AND md5path_2=?");
      deleteChunks = conn.prepareStatement("DELETE FROM chunks WHERE md5path_1=? AND md5path_2=?");
      try (Statement s = conn.createStatement();
          ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(hardlinks >> 32), 0) FROM catalog")) {
        nextHardlinkGroup = (int) rs.getLong(1) + 1;
      }
    } catch (SQLException e) {
      throw new IOException("catalog " + file + ": " + e.getMessage(), e);
    }
  }

  /** A new, empty catalog with the stock schema and the schema properties. */
  static CatalogDatabase create(Path file) throws IOException {
    CatalogDatabase db = new CatalogDatabase(file, true);
    db.setProperty("schema", CatalogSchema.SCHEMA);
    db.setProperty("schema_revision", Integer.toString(CatalogSchema.SCHEMA_REVISION));
    return db;
  }

  /** An existing catalog (an inflated copy) to edit; refuses schemas other than 2.5 rev 7. */
  static CatalogDatabase open(Path file, String what) throws IOException {
    CatalogDatabase db = new CatalogDatabase(file, false);
    String schema = db.property("schema");
    String revision = db.property("schema_revision");
    if (schema == null
        || Math.abs(Double.parseDouble(schema) - 2.5) > 1e-6
        || !Integer.toString(CatalogSchema.SCHEMA_REVISION).equals(revision)) {
      db.close();
      throw new IOException(
          what
              + ": schema "
              + schema
              + " revision "
              + revision
              + "; only 2.5 revision 7 is updated");
    }
    return db;
  }

  Path file() {
    return file;
  }

  Row lookup(String path) throws IOException {
    Md5Path m = Md5Path.of(path);
    try {
      lookup.setLong(1, m.high());
      lookup.setLong(2, m.low());
      try (ResultSet rs = lookup.executeQuery()) {
        return rs.next() ? row(rs) : null;
      }
    } catch (SQLException e) {
      throw failure("lookup of " + path, e);
    }
  }

  List<Row> children(String dirPath) throws IOException {
    Md5Path m = Md5Path.of(dirPath);
    List<Row> out = new ArrayList<>();
    try {
      children.setLong(1, m.high());
      children.setLong(2, m.low());
      try (ResultSet rs = children.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
    } catch (SQLException e) {
      throw failure("listing of " + dirPath, e);
    }
    return out;
  }

  void insert(Row r) throws IOException {
    try {
      insert.setLong(1, r.md5path().high());
      insert.setLong(2, r.md5path().low());
      insert.setLong(3, r.parent().high());
      insert.setLong(4, r.parent().low());
      insert.setLong(5, r.hardlinks());
      insert.setBytes(6, r.hash());
      insert.setLong(7, r.size());
      insert.setInt(8, r.mode());
      insert.setLong(9, r.mtime());
      if (r.mtimens() == null) {
        insert.setNull(10, Types.INTEGER);
      } else {
        insert.setLong(10, r.mtimens());
      }
      insert.setInt(11, r.flags());
      insert.setString(12, r.name());
      insert.setString(13, r.symlink());
      insert.setLong(14, r.uid());
      insert.setLong(15, r.gid());
      insert.setBytes(16, r.xattr());
      insert.executeUpdate();
    } catch (SQLException e) {
      throw failure("insert of '" + r.name() + "'", e);
    }
  }

  void insertChunks(Md5Path file, List<FileChunk> chunks) throws IOException {
    try {
      for (FileChunk c : chunks) {
        insertChunk.setLong(1, file.high());
        insertChunk.setLong(2, file.low());
        insertChunk.setLong(3, c.offset());
        insertChunk.setLong(4, c.sizeBytes());
        insertChunk.setBytes(5, c.hash().digest());
        insertChunk.executeUpdate();
      }
    } catch (SQLException e) {
      throw failure("insert of chunks", e);
    }
  }

  /** Replaces a row's hardlinks column (link count of a directory). */
  void updateHardlinks(String path, long hardlinks) throws IOException {
    Md5Path m = Md5Path.of(path);
    execute(
        "UPDATE catalog SET hardlinks=? WHERE md5path_1=? AND md5path_2=?",
        hardlinks,
        m.high(),
        m.low());
  }

  /** A fresh hard-link group id of this catalog. */
  int newHardlinkGroup() {
    return nextHardlinkGroup++;
  }

  /**
   * Deletes the entry at {@code path} and everything below it in this catalog, with chunk rows and
   * the {@code nested_catalogs} rows of mountpoints removed. Returns the removed nested catalogs
   * (direct children of this catalog); they and everything under them are gone from the tree.
   */
  List<NestedRef> deleteSubtree(String path) throws IOException {
    List<NestedRef> removed = new ArrayList<>();
    Map<String, NestedRef> nested = nestedCatalogs();
    Deque<String> todo = new ArrayDeque<>();
    todo.push(path);
    while (!todo.isEmpty()) {
      String p = todo.pop();
      Row r = lookup(p);
      if (r == null) {
        continue;
      }
      if (EntryFlags.has(r.flags(), EntryFlags.DIR)) {
        for (Row c : children(p)) {
          todo.push(Md5Path.child(p, c.name()));
        }
      }
      try {
        if (EntryFlags.has(r.flags(), EntryFlags.CHUNKED)) {
          deleteChunks.setLong(1, r.md5path().high());
          deleteChunks.setLong(2, r.md5path().low());
          deleteChunks.executeUpdate();
        }
        deleteRow.setLong(1, r.md5path().high());
        deleteRow.setLong(2, r.md5path().low());
        deleteRow.executeUpdate();
      } catch (SQLException e) {
        throw failure("delete of " + p, e);
      }
      NestedRef n = nested.get(p);
      if (n != null) {
        removed.add(n);
        execute("DELETE FROM nested_catalogs WHERE path=?", p);
      }
      deleted = true;
    }
    return removed;
  }

  /** The {@code nested_catalogs} rows by path. */
  Map<String, NestedRef> nestedCatalogs() throws IOException {
    Map<String, NestedRef> out = new TreeMap<>();
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT path, sha1, size FROM nested_catalogs")) {
      while (rs.next()) {
        String p = rs.getString(1);
        out.put(p, new NestedRef(p, ContentHash.parse(rs.getString(2)), rs.getLong(3)));
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new IOException("catalog " + file + ": nested_catalogs: " + e.getMessage(), e);
    }
    return out;
  }

  void putNested(String path, ContentHash hash, long sizeBytes) throws IOException {
    execute(
        "INSERT OR REPLACE INTO nested_catalogs (path, sha1, size) VALUES (?,?,?)",
        path,
        hash.toString(),
        sizeBytes);
  }

  String property(String key) throws IOException {
    try (PreparedStatement s = conn.prepareStatement("SELECT value FROM properties WHERE key=?")) {
      s.setString(1, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw failure("property " + key, e);
    }
  }

  void setProperty(String key, String value) throws IOException {
    execute("INSERT OR REPLACE INTO properties (key, value) VALUES (?,?)", key, value);
  }

  long longProperty(String key, long absent) throws IOException {
    String v = property(key);
    return v == null ? absent : Long.parseLong(v.trim());
  }

  /** The statistics table as stored; missing rows read as 0. */
  CatalogCounters counters() throws IOException {
    long[] self = new long[CatalogCounters.N];
    long[] subtree = new long[CatalogCounters.N];
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT counter, value FROM statistics")) {
      while (rs.next()) {
        String name = rs.getString(1);
        int i;
        if (name.startsWith("self_")) {
          i = CatalogSchema.COUNTERS.indexOf(name.substring(5));
          if (i >= 0) {
            self[i] = rs.getLong(2);
          }
        } else if (name.startsWith("subtree_")) {
          i = CatalogSchema.COUNTERS.indexOf(name.substring(8));
          if (i >= 0) {
            subtree[i] = rs.getLong(2);
          }
        }
      }
    } catch (SQLException e) {
      throw failure("statistics", e);
    }
    return new CatalogCounters(self, subtree);
  }

  /** Counts this catalog's own rows into the {@code self_*} counters (spec §6.10). */
  long[] countSelf() throws IOException {
    String regular = "(flags & 4) != 0 AND (flags & 24) = 0";
    String sql =
        "SELECT"
            + " COALESCE(SUM(CASE WHEN "
            + regular
            + " THEN 1 ELSE 0 END), 0),"
            + " COALESCE(SUM(CASE WHEN (flags & 8) != 0 THEN 1 ELSE 0 END), 0),"
            + " COALESCE(SUM(CASE WHEN (flags & 16) != 0 THEN 1 ELSE 0 END), 0),"
            + " COALESCE(SUM(CASE WHEN (flags & 1) != 0 THEN 1 ELSE 0 END), 0),"
            + " (SELECT COUNT(*) FROM nested_catalogs),"
            + " COALESCE(SUM(CASE WHEN (flags & 64) != 0 THEN 1 ELSE 0 END), 0),"
            + " (SELECT COUNT(*) FROM chunks),"
            + " COALESCE(SUM(CASE WHEN "
            + regular
            + " THEN size ELSE 0 END), 0),"
            + " COALESCE(SUM(CASE WHEN (flags & 64) != 0 THEN size ELSE 0 END), 0),"
            + " COALESCE(SUM(CASE WHEN xattr IS NOT NULL THEN 1 ELSE 0 END), 0),"
            + " COALESCE(SUM(CASE WHEN (flags & 128) != 0 THEN 1 ELSE 0 END), 0),"
            + " COALESCE(SUM(CASE WHEN (flags & 128) != 0 THEN size ELSE 0 END), 0)"
            + " FROM catalog";
    long[] self = new long[CatalogCounters.N];
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      for (int i = 0; i < CatalogCounters.N; i++) {
        self[i] = rs.getLong(i + 1);
      }
    } catch (SQLException e) {
      throw failure("counting", e);
    }
    return self;
  }

  /** Replaces all 24 statistics rows. */
  void writeCounters(CatalogCounters c) throws IOException {
    execute("DELETE FROM statistics");
    for (Map.Entry<String, Long> e : new TreeMap<>(c.rows()).entrySet()) {
      execute("INSERT INTO statistics (counter, value) VALUES (?,?)", e.getKey(), e.getValue());
    }
  }

  /** Commits, vacuums if rows were deleted, and closes. */
  void finish() throws IOException {
    try {
      conn.commit();
      for (PreparedStatement s :
          List.of(insert, lookup, children, insertChunk, deleteRow, deleteChunks)) {
        s.close();
      }
      if (deleted) {
        conn.setAutoCommit(true);
        try (Statement s = conn.createStatement()) {
          s.execute("VACUUM");
        }
      }
    } catch (SQLException e) {
      throw failure("commit", e);
    } finally {
      close();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (!conn.isClosed()) {
        if (!conn.getAutoCommit()) {
          conn.rollback();
        }
        conn.close();
      }
    } catch (SQLException e) {
      throw failure("close", e);
    }
  }

  private void execute(String sql, Object... args) throws IOException {
    try (PreparedStatement s = conn.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.executeUpdate();
    } catch (SQLException e) {
      throw failure(sql, e);
    }
  }

  private IOException failure(String what, SQLException e) {
    return new IOException(
        "catalog " + file.getFileName() + ": " + what + ": " + e.getMessage(), e);
  }

  private static Row row(ResultSet rs) throws SQLException {
    long mtimens = rs.getLong(10);
    Long ns = rs.wasNull() ? null : mtimens;
    return new Row(
        new Md5Path(rs.getLong(1), rs.getLong(2)),
        new Md5Path(rs.getLong(3), rs.getLong(4)),
        rs.getLong(5),
        rs.getBytes(6),
        rs.getLong(7),
        rs.getInt(8),
        rs.getLong(9),
        ns,
        rs.getInt(11),
        rs.getString(12),
        rs.getString(13),
        rs.getLong(14),
        rs.getLong(15),
        rs.getBytes(16));
  }

  /** Property keys in the order the stock publisher writes them when it updates a catalog. */
  static Map<String, String> revisionProperties(
      long revision, long lastModified, String previousRevision) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("last_modified", Long.toString(lastModified));
    m.put("revision", Long.toString(revision));
    m.put("previous_revision", previousRevision);
    return m;
  }
}
