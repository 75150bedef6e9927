package io.cvmfsthin.cvmfs.sqlite;

import java.io.IOException;

/**
 * A catalog or history database that the reader refuses: unreadable SQLite, an unsupported schema,
 * a row that breaks the format, a feature this client does not implement (external files). The
 * message names the database and what is wrong.
 */
public final class CatalogFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public CatalogFormatException(String message) {
    super(message);
  }

  public CatalogFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
