package io.cvmfsthin.cvmfs.sqlite;

import io.cvmfsthin.cvmfs.catalog.CatalogRow;
import io.cvmfsthin.cvmfs.catalog.CatalogSchema;
import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.DirectoryListing;
import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One file catalog, opened read-only from a verified, inflated copy in the cache (spec §6).
 *
 * <p>The SQL depends on the catalog's schema and {@code schema_revision} (§6.1): {@code mtimens}
 * exists from revision 7, {@code xattr} from 2, {@code nested_catalogs.size} from 1; schema 2.4 is
 * read like 2.5 revision 0. Legacy 1.x catalogs are refused. {@code bind_mountpoints} (snapshot
 * transitions to other root catalogs) are not followed.
 *
 * <p>Thread-safe: a query takes a {@link Session} (a connection of its own with its prepared
 * statements) from a small {@link SessionPool}, so concurrent lookups run side by side instead of
 * queueing on one connection. Connections are read-only and {@code immutable} (no locks, no journal
 * checks), with the file memory-mapped. The caller owns it and closes it.
 */
public final class Catalog implements AutoCloseable {
  /** Sessions kept open while idle: about the FUSE workers that query at once. */
  static final int MAX_IDLE_SESSIONS = 4;

  private final String source;
  private final Path file;
  private final String mountpoint;
  private final double schema;
  private final int schemaRevision;
  private final long revision;
  private final long ttlSeconds;
  private final long lastModifiedEpochSeconds;
  private final ContentHash previousRevision;
  private final List<NestedCatalogRef> nested;
  private final String columns;
  private final SessionPool<Session> sessions;

  /** One connection and its statements; used by one thread at a time. */
  private record Session(
      Connection db, PreparedStatement lookup, PreparedStatement listing, PreparedStatement chunks)
      implements AutoCloseable {
    static Session open(Connection db, String columns) throws SQLException {
      return new Session(
          db,
          db.prepareStatement(
              "SELECT " + columns + " FROM catalog WHERE md5path_1 = ? AND md5path_2 = ?"),
          db.prepareStatement(
              "SELECT " + columns + " FROM catalog WHERE parent_1 = ? AND parent_2 = ?"),
          db.prepareStatement(
              "SELECT offset, size, hash FROM chunks WHERE md5path_1 = ? AND md5path_2 = ?"
                  + " ORDER BY offset"));
    }

    @Override
    public void close() throws SQLException {
      db.close(); // closes its statements
    }
  }

  private Catalog(
      String source, Path file, Connection db, Map<String, String> props, String mountpoint)
      throws SQLException, CatalogFormatException {
    this.source = source;
    this.file = file;
    this.schema = parseDouble(props.get("schema"), "schema");
    if (!CatalogSchema.isReadable(schema) || schema < 2.0) {
      throw new CatalogFormatException(
          source + ": schema " + props.get("schema") + ", this reader accepts 2.4 and 2.5");
    }
    this.schemaRevision =
        schema > 2.45 ? (int) parseLong(props.getOrDefault("schema_revision", "0"), "rev") : 0;
    this.revision = parseLong(props.getOrDefault("revision", "0"), "revision");
    this.ttlSeconds =
        parseLong(
            props.getOrDefault("TTL", Long.toString(CatalogSchema.DEFAULT_TTL_SECONDS)), "TTL");
    this.lastModifiedEpochSeconds =
        parseLong(props.getOrDefault("last_modified", "0"), "last_modified");
    String prev = props.get("previous_revision");
    try {
      this.previousRevision = prev == null || prev.isEmpty() ? null : ContentHash.parse(prev);
    } catch (IllegalArgumentException e) {
      throw new CatalogFormatException(source + ": property previous_revision: " + e.getMessage());
    }
    String prefix = props.getOrDefault("root_prefix", "");
    if (prefix.equals("/")) {
      prefix = "";
    }
    if (!prefix.equals(mountpoint)) {
      throw new CatalogFormatException(
          source + ": root_prefix is '" + prefix + "' but it is mounted at '" + mountpoint + "'");
    }
    this.mountpoint = mountpoint;
    this.columns =
        "hardlinks, hash, size, mode, mtime, "
            + (schemaRevision >= 7 ? "mtimens" : "NULL")
            + ", flags, name, symlink, uid, gid, "
            + (schemaRevision >= 2 ? "xattr" : "NULL");
    this.nested = readNested(db);
    this.sessions =
        new SessionPool<>(this::openSession, MAX_IDLE_SESSIONS, Session.open(db, columns));
  }

  /**
   * Opens {@code file} (an inflated, verified catalog) that is mounted at {@code mountpoint} (""
   * for the root catalog); {@code source} names it in messages, e.g. {@code catalog 3f2a…C for
   * /usr}.
   */
  public static Catalog open(Path file, String mountpoint, String source)
      throws CatalogFormatException {
    Connection db = null;
    try {
      db = SqliteFiles.openReadOnly(file);
      Map<String, String> props = new HashMap<>();
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery("SELECT key, value FROM properties")) {
        while (rs.next()) {
          props.put(rs.getString(1), rs.getString(2));
        }
      }
      return new Catalog(source, file, db, props, mountpoint);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(db);
      throw new CatalogFormatException(source + ": not a readable catalog: " + e.getMessage(), e);
    } catch (CatalogFormatException e) {
      closeQuietly(db);
      throw e;
    }
  }

  /** Where this catalog is mounted: "" for the root catalog, else its {@code root_prefix}. */
  public String mountpoint() {
    return mountpoint;
  }

  public double schema() {
    return schema;
  }

  public int schemaRevision() {
    return schemaRevision;
  }

  /** This catalog's {@code revision}; the root catalog's is the repository revision. */
  public long revision() {
    return revision;
  }

  /** The {@code TTL} property, or the default of 240 s. */
  public long ttlSeconds() {
    return ttlSeconds;
  }

  public long lastModifiedEpochSeconds() {
    return lastModifiedEpochSeconds;
  }

  /** The hash of this catalog's previous version, or null. */
  public ContentHash previousRevision() {
    return previousRevision;
  }

  /** The direct child catalogs. */
  public List<NestedCatalogRef> nestedCatalogs() {
    return nested;
  }

  /** The entry at {@code path} if this catalog holds it. */
  public Optional<DirectoryEntry> lookup(String path) throws CatalogFormatException {
    Md5Path key = Md5Path.of(path);
    Session s = null;
    try {
      s = sessions.take();
      PreparedStatement lookup = s.lookup();
      lookup.setLong(1, key.high());
      lookup.setLong(2, key.low());
      try (ResultSet rs = lookup.executeQuery()) {
        return rs.next() ? Optional.of(entry(rs, path)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new CatalogFormatException(source + ": lookup of '" + path + "': " + e.getMessage(), e);
    } finally {
      giveBack(s);
    }
  }

  /**
   * The visible (not hidden) children of {@code dir} in this catalog, sorted by name; the hidden
   * ones are in {@link DirectoryListing#all}.
   */
  public DirectoryListing list(String dir) throws CatalogFormatException {
    Md5Path key = Md5Path.of(dir);
    List<DirectoryEntry> out = new ArrayList<>();
    List<DirectoryEntry> hidden = new ArrayList<>();
    Session s = null;
    try {
      s = sessions.take();
      PreparedStatement listing = s.listing();
      listing.setLong(1, key.high());
      listing.setLong(2, key.low());
      try (ResultSet rs = listing.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(8);
          DirectoryEntry e = entry(rs, dir + "/" + name);
          (e.isHidden() ? hidden : out).add(e);
        }
      }
    } catch (SQLException e) {
      throw new CatalogFormatException(source + ": listing of '" + dir + "': " + e.getMessage(), e);
    } finally {
      giveBack(s);
    }
    out.sort(Comparator.comparing(DirectoryEntry::name));
    return new DirectoryListing(out, hidden);
  }

  /**
   * The chunks of a chunked file, in order, checked to be contiguous from 0 and to sum to {@code
   * sizeBytes}.
   */
  public List<FileChunk> chunks(String path, HashAlgorithm algorithm, long sizeBytes)
      throws CatalogFormatException {
    Md5Path key = Md5Path.of(path);
    List<FileChunk> out = new ArrayList<>();
    Session s = null;
    try {
      s = sessions.take();
      PreparedStatement chunks = s.chunks();
      chunks.setLong(1, key.high());
      chunks.setLong(2, key.low());
      try (ResultSet rs = chunks.executeQuery()) {
        long expectedOffset = 0;
        while (rs.next()) {
          FileChunk c =
              new FileChunk(
                  rs.getLong(1), rs.getLong(2), ContentHash.of(algorithm, rs.getBytes(3)));
          if (c.offset() != expectedOffset) {
            throw new CatalogFormatException(
                source + ": chunks of '" + path + "' leave a gap at offset " + expectedOffset);
          }
          expectedOffset += c.sizeBytes();
          out.add(c);
        }
        if (expectedOffset != sizeBytes) {
          throw new CatalogFormatException(
              source
                  + ": chunks of '"
                  + path
                  + "' cover "
                  + expectedOffset
                  + " bytes, the file has "
                  + sizeBytes);
        }
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new CatalogFormatException(source + ": chunks of '" + path + "': " + e.getMessage(), e);
    } finally {
      giveBack(s);
    }
    return out;
  }

  /** Closes the idle connections now, the others when their query ends. Idempotent. */
  @Override
  public void close() {
    sessions.close();
  }

  private Session openSession() throws SQLException {
    Connection db = SqliteFiles.openReadOnly(file);
    try {
      return Session.open(db, columns);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(db);
      throw e;
    }
  }

  private void giveBack(Session s) {
    if (s != null) {
      sessions.giveBack(s);
    }
  }

  @Override
  public String toString() {
    return source;
  }

  private DirectoryEntry entry(ResultSet rs, String path)
      throws SQLException, CatalogFormatException {
    Object ns = rs.getObject(6);
    CatalogRow row =
        new CatalogRow(
            rs.getLong(1),
            rs.getBytes(2),
            rs.getLong(3),
            rs.getInt(4),
            rs.getLong(5),
            ns == null ? null : ((Number) ns).intValue(),
            rs.getInt(7),
            rs.getString(8),
            rs.getString(9),
            rs.getLong(10),
            rs.getLong(11),
            rs.getBytes(12));
    // The root entry of a nested catalog is its mountpoint; name it by its real path.
    String p = EntryFlags.has(row.flags(), EntryFlags.NESTED_ROOT) ? mountpoint : path;
    try {
      return row.toEntry(p);
    } catch (IllegalArgumentException e) {
      throw new CatalogFormatException(source + ": entry '" + path + "': " + e.getMessage(), e);
    }
  }

  private List<NestedCatalogRef> readNested(Connection db)
      throws SQLException, CatalogFormatException {
    List<NestedCatalogRef> out = new ArrayList<>();
    String sql =
        "SELECT path, sha1, " + (schemaRevision >= 1 ? "size" : "0") + " FROM nested_catalogs";
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String path = rs.getString(1);
        try {
          out.add(
              new NestedCatalogRef(
                  Md5Path.requireValid(path), ContentHash.parse(rs.getString(2)), rs.getLong(3)));
        } catch (IllegalArgumentException e) {
          throw new CatalogFormatException(
              source + ": nested catalog '" + path + "': " + e.getMessage(), e);
        }
      }
    }
    return List.copyOf(out);
  }

  private double parseDouble(String v, String what) throws CatalogFormatException {
    try {
      return Double.parseDouble(v);
    } catch (NullPointerException | NumberFormatException e) {
      throw new CatalogFormatException(source + ": property " + what + " is '" + v + "'", e);
    }
  }

  private long parseLong(String v, String what) throws CatalogFormatException {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new CatalogFormatException(source + ": property " + what + " is '" + v + "'", e);
    }
  }

  private static void closeQuietly(Connection db) {
    if (db != null) {
      try {
        db.close();
      } catch (SQLException ignored) {
        // closing a read-only connection loses nothing
      }
    }
  }
}
