package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * Edge: the history (tag) database, object suffix H (spec §9.1), with the stock DDL: properties
 * {@code schema=1.0}, {@code schema_revision=3}, {@code fqrn}, {@code previous_revision}; tables
 * {@code tags}, {@code branches} (one row {@code ('', NULL, 0)}) and an empty {@code recycle_bin}.
 * Each publish moves {@code trunk} to {@code trunk-previous} and tags the new root as {@code
 * trunk}.
 */
final class HistoryDatabase {
  private static final List<String> DDL =
      List.of(
          "CREATE TABLE properties (key TEXT, value TEXT, CONSTRAINT pk_properties PRIMARY KEY"
              + " (key))",
          "CREATE TABLE branches (branch TEXT, parent TEXT, initial_revision INTEGER, "
              + " CONSTRAINT pk_branch PRIMARY KEY (branch),   FOREIGN KEY (parent) REFERENCES"
              + " branches (branch),   CHECK ((branch <> '') OR (parent IS NULL)),   CHECK"
              + " ((branch = '') OR (parent IS NOT NULL)))",
          "CREATE TABLE tags (name TEXT, hash TEXT, revision INTEGER,   timestamp INTEGER,"
              + " channel INTEGER, description TEXT, size INTEGER,   branch TEXT, CONSTRAINT"
              + " pk_tags PRIMARY KEY (name),   FOREIGN KEY (branch) REFERENCES branches"
              + " (branch))",
          "CREATE TABLE recycle_bin (hash TEXT, flags INTEGER,   CONSTRAINT pk_hash PRIMARY KEY"
              + " (hash))");

  private HistoryDatabase() {}

  /** Creates a new history database in {@code file} with no tags. */
  static void create(Path file, String fqrn) throws IOException {
    try (Connection c = connect(file);
        Statement s = c.createStatement()) {
      for (String ddl : DDL) {
        s.execute(ddl);
      }
      s.execute("INSERT INTO branches (branch, parent, initial_revision) VALUES ('', NULL, 0)");
      update(c, "INSERT INTO properties (key, value) VALUES (?, ?)", "schema", "1.0");
      update(c, "INSERT INTO properties (key, value) VALUES (?, ?)", "schema_revision", "3");
      update(c, "INSERT INTO properties (key, value) VALUES (?, ?)", "fqrn", fqrn);
      update(
          c,
          "INSERT INTO properties (key, value) VALUES (?, ?)",
          "previous_revision",
          CatalogDatabase.NULL_HASH);
    } catch (SQLException e) {
      throw new IOException("history database " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Tags a new head: {@code trunk} becomes {@code trunk-previous}, the new root becomes {@code
   * trunk}; {@code previous_revision} names the history object this one replaces.
   */
  static void tagTrunk(
      Path file,
      ContentHash previousHistory,
      ContentHash rootCatalog,
      long revision,
      long timestamp,
      long rootSizeBytes)
      throws IOException {
    try (Connection c = connect(file)) {
      c.setAutoCommit(false);
      update(c, "DELETE FROM tags WHERE name='trunk-previous'");
      update(
          c,
          "UPDATE tags SET name='trunk-previous', description='default undo target'"
              + " WHERE name='trunk'");
      update(
          c,
          "INSERT INTO tags (name, hash, revision, timestamp, channel, description, size, branch)"
              + " VALUES ('trunk', ?, ?, ?, 0, 'current HEAD', ?, '')",
          rootCatalog.toString(),
          revision,
          timestamp,
          rootSizeBytes);
      if (previousHistory != null) {
        update(
            c,
            "INSERT OR REPLACE INTO properties (key, value) VALUES ('previous_revision', ?)",
            previousHistory.toString());
      }
      c.commit();
    } catch (SQLException e) {
      throw new IOException("history database " + file + ": " + e.getMessage(), e);
    }
  }

  static Connection connect(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.enforceForeignKeys(true);
    config.setJournalMode(SQLiteConfig.JournalMode.MEMORY);
    config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
    config.setGetGeneratedKeys(false);
    return config.createConnection("jdbc:sqlite:" + file);
  }

  static void update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.executeUpdate();
    }
  }
}
