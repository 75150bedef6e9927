package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Edge: what one file catalog (an inflated copy) refers to, as garbage collection needs it: its
 * properties, its direct nested catalogs, and the object paths ({@code data/XX/…[P]}) of its files'
 * contents and chunks. External files (flag 128) are left out: their contents are not in {@code
 * data/} (spec §8.3).
 *
 * @param properties the {@code properties} table
 * @param nested the {@code nested_catalogs} hashes (direct children only)
 * @param objectPaths object paths of whole-file objects and chunks
 */
record CatalogReferences(
    Map<String, String> properties, List<ContentHash> nested, List<String> objectPaths) {

  /** Reads {@code file}; {@code what} names the catalog in errors. */
  static CatalogReferences read(Path file, String what) throws IOException {
    Map<String, String> props = new HashMap<>();
    List<ContentHash> nested = new ArrayList<>();
    List<String> objects = new ArrayList<>();
    try (Connection c = HistoryDatabase.connect(file);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT key, value FROM properties")) {
        while (rs.next()) {
          props.put(rs.getString(1), rs.getString(2));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT sha1 FROM nested_catalogs")) {
        while (rs.next()) {
          nested.add(ContentHash.parse(rs.getString(1)));
        }
      }
      try (ResultSet rs =
          s.executeQuery("SELECT hash, flags FROM catalog WHERE hash IS NOT NULL")) {
        while (rs.next()) {
          int flags = rs.getInt(2);
          if (!EntryFlags.has(flags, EntryFlags.EXTERNAL)) {
            objects.add(
                ContentHash.of(HashAlgorithm.fromFlags(flags), rs.getBytes(1))
                    .objectPath(ObjectType.FILE));
          }
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT k.hash, c.flags FROM chunks k JOIN catalog c"
                  + " ON k.md5path_1 = c.md5path_1 AND k.md5path_2 = c.md5path_2")) {
        while (rs.next()) {
          int flags = rs.getInt(2);
          if (!EntryFlags.has(flags, EntryFlags.EXTERNAL)) {
            objects.add(
                ContentHash.of(HashAlgorithm.fromFlags(flags), rs.getBytes(1))
                    .objectPath(ObjectType.PARTIAL));
          }
        }
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new IOException("catalog " + what + ": " + e.getMessage(), e);
    }
    return new CatalogReferences(props, nested, objects);
  }
}
