package io.cvmfsthin.cvmfs.sqlite;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The history database (object suffix H, spec §9.1): the repository's named revisions. Read once at
 * open; the connection is closed before this returns, so the value owns no resource.
 */
public final class HistoryDatabase {
  private final List<Tag> tags;

  private HistoryDatabase(List<Tag> tags) {
    this.tags = List.copyOf(tags);
  }

  /** Reads every tag of an inflated, verified history database; {@code source} names it. */
  public static HistoryDatabase read(Path file, String source) throws CatalogFormatException {
    List<Tag> tags = new ArrayList<>();
    try (Connection db = SqliteFiles.openReadOnly(file);
        Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT name, hash, revision, timestamp, description FROM tags"
                    + " ORDER BY revision, name")) {
      while (rs.next()) {
        String name = rs.getString(1);
        try {
          tags.add(
              new Tag(
                  name,
                  ContentHash.parse(rs.getString(2)),
                  rs.getLong(3),
                  Instant.ofEpochSecond(rs.getLong(4)),
                  rs.getString(5) == null ? "" : rs.getString(5)));
        } catch (IllegalArgumentException e) {
          throw new CatalogFormatException(source + ": tag '" + name + "': " + e.getMessage(), e);
        }
      }
    } catch (SQLException e) {
      throw new CatalogFormatException(
          source + ": not a readable history database: " + e.getMessage(), e);
    }
    return new HistoryDatabase(tags);
  }

  /** All tags, oldest revision first. */
  public List<Tag> tags() {
    return tags;
  }

  public Optional<Tag> find(String name) {
    return tags.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
