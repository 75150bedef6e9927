package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Edge: the reflog {@code /.cvmfsreflog} (spec §9.2), an uncompressed SQLite file with properties
 * {@code schema=1.0}, {@code schema_revision=0}, {@code fqrn} and table {@code refs}. Like the
 * stock tools it lists every root catalog, certificate, history and meta-info object ever published
 * (re-adding one refreshes its timestamp); garbage collection and replication read it.
 */
final class ReflogDatabase {
  /** {@code refs.type} values. */
  enum RefType {
    CATALOG(0),
    CERTIFICATE(1),
    HISTORY(2),
    METAINFO(3);

    final int id;

    RefType(int id) {
      this.id = id;
    }
  }

  private ReflogDatabase() {}

  static void create(Path file, String fqrn) throws IOException {
    try (Connection c = HistoryDatabase.connect(file);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE properties (key TEXT, value TEXT, CONSTRAINT pk_properties PRIMARY KEY"
              + " (key))");
      s.execute(
          "CREATE TABLE refs (hash TEXT, type INTEGER, timestamp INTEGER, CONSTRAINT pk_refs"
              + " PRIMARY KEY (hash))");
      HistoryDatabase.update(
          c, "INSERT INTO properties (key, value) VALUES (?, ?)", "schema", "1.0");
      HistoryDatabase.update(
          c, "INSERT INTO properties (key, value) VALUES (?, ?)", "schema_revision", "0");
      HistoryDatabase.update(c, "INSERT INTO properties (key, value) VALUES (?, ?)", "fqrn", fqrn);
    } catch (SQLException e) {
      throw new IOException("reflog " + file + ": " + e.getMessage(), e);
    }
  }

  static void add(Path file, RefType type, ContentHash hash, long timestamp) throws IOException {
    try (Connection c = HistoryDatabase.connect(file)) {
      HistoryDatabase.update(
          c,
          "INSERT OR REPLACE INTO refs (hash, type, timestamp) VALUES (?, ?, ?)",
          hash.toString(),
          type.id,
          timestamp);
    } catch (SQLException e) {
      throw new IOException("reflog " + file + ": " + e.getMessage(), e);
    }
  }
}
