package io.cvmfsthin.cvmfs.catalog;

import java.util.List;

/**
 * The SQLite schema of a file catalog, version 2.5 revision 7 (spec §6.2, §6.10, §6.11), and the
 * versions a reader accepts. The DDL is what the stock publisher creates.
 */
public final class CatalogSchema {
  public static final String SCHEMA = "2.5";
  public static final int SCHEMA_REVISION = 7;

  /** Seconds between update checks when the root catalog names no TTL. */
  public static final long DEFAULT_TTL_SECONDS = 240;

  public static final List<String> DDL =
      List.of(
          "CREATE TABLE properties (key TEXT, value TEXT,"
              + " CONSTRAINT pk_properties PRIMARY KEY (key))",
          "CREATE TABLE catalog (md5path_1 INTEGER, md5path_2 INTEGER, parent_1 INTEGER,"
              + " parent_2 INTEGER, hardlinks INTEGER, hash BLOB, size INTEGER, mode INTEGER,"
              + " mtime INTEGER, mtimens INTEGER, flags INTEGER, name TEXT, symlink TEXT,"
              + " uid INTEGER, gid INTEGER, xattr BLOB,"
              + " CONSTRAINT pk_catalog PRIMARY KEY (md5path_1, md5path_2))",
          "CREATE INDEX idx_catalog_parent ON catalog (parent_1, parent_2)",
          "CREATE TABLE chunks (md5path_1 INTEGER, md5path_2 INTEGER, offset INTEGER,"
              + " size INTEGER, hash BLOB,"
              + " CONSTRAINT pk_chunks PRIMARY KEY (md5path_1, md5path_2, offset, size),"
              + " FOREIGN KEY (md5path_1, md5path_2) REFERENCES catalog(md5path_1, md5path_2))",
          "CREATE TABLE nested_catalogs (path TEXT, sha1 TEXT, size INTEGER,"
              + " CONSTRAINT pk_nested_catalogs PRIMARY KEY (path))",
          "CREATE TABLE bind_mountpoints (path TEXT, sha1 TEXT, size INTEGER,"
              + " CONSTRAINT pk_bind_mountpoints PRIMARY KEY (path))",
          "CREATE TABLE statistics (counter TEXT, value INTEGER,"
              + " CONSTRAINT pk_statistics PRIMARY KEY (counter))");

  /** The twelve counter names; each exists as {@code self_X} and {@code subtree_X}. */
  public static final List<String> COUNTERS =
      List.of(
          "regular",
          "symlink",
          "special",
          "dir",
          "nested",
          "chunked",
          "chunks",
          "file_size",
          "chunked_size",
          "xattr",
          "external",
          "external_file_size");

  private CatalogSchema() {}

  /** Whether the stock client opens a catalog of this schema (2.4, 2.5, or legacy below 2.0). */
  public static boolean isReadable(double schema) {
    return schema < 2.0 - 1e-9 || Math.abs(schema - 2.4) < 1e-6 || Math.abs(schema - 2.5) < 1e-6;
  }
}
