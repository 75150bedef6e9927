package io.cvmfsthin.cvmfs.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/** Opens a verified SQLite file from the cache read-only and immutable (no locks, no journal). */
final class SqliteFiles {
  private SqliteFiles() {}

  static Connection openReadOnly(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setOpenMode(SQLiteOpenMode.OPEN_URI);
    String uri = file.toAbsolutePath().toUri().toString(); // file:///..., percent-encoded
    return DriverManager.getConnection(
        "jdbc:sqlite:" + uri + "?immutable=1", config.toProperties());
  }
}
