package io.cvmfsthin.cvmfs.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Opens a verified SQLite file from the cache read-only and immutable (no locks, no journal),
 * memory-mapped up to {@link #MMAP_BYTES} so that page reads are not a pread and copy each.
 */
final class SqliteFiles {
  static final long MMAP_BYTES = 256L << 20;

  private SqliteFiles() {}

  static Connection openReadOnly(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setOpenMode(SQLiteOpenMode.OPEN_URI);
    config.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(MMAP_BYTES));
    String uri = file.toAbsolutePath().toUri().toString(); // file:///..., percent-encoded
    return DriverManager.getConnection(
        "jdbc:sqlite:" + uri + "?immutable=1", config.toProperties());
  }
}
