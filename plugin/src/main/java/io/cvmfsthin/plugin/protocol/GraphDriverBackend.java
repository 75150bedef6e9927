package io.cvmfsthin.plugin.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the plugin needs from the layer store, one method per {@code /GraphDriver.*} endpoint (spec
 * §4). The plugin module adapts the driver module to it; tests use a recording fake. Every method
 * may block; the server calls them off the event loop. A failure is an {@link IOException} (or
 * {@link IllegalArgumentException} for bad arguments) whose message reaches the user through
 * dockerd.
 */
public interface GraphDriverBackend {

  /** {@code Init}: home directory, daemon storage options, user-namespace maps. */
  void init(Path home, List<String> options, List<IdMap> uidMaps, List<IdMap> gidMaps)
      throws IOException;

  /** {@code Create}: a read-only image layer; {@code parent} is "" for a base layer. */
  void create(String id, String parent, String mountLabel, Map<String, String> storageOpt)
      throws IOException;

  /** {@code CreateReadWrite}: a container's init or read-write layer. */
  void createReadWrite(String id, String parent, String mountLabel, Map<String, String> storageOpt)
      throws IOException;

  void remove(String id) throws IOException;

  /** {@code Get}: the layer's root file system, mounted if needed (reference counted). */
  Path get(String id, String mountLabel) throws IOException;

  void put(String id) throws IOException;

  boolean exists(String id);

  /** {@code Status}: key/value pairs for {@code docker info}. */
  List<Map.Entry<String, String>> status();

  Map<String, String> metadata(String id) throws IOException;

  void cleanup() throws IOException;

  /** {@code Diff}: a tar stream of the layer's changes; the caller closes it. */
  InputStream diff(String id, String parent) throws IOException;

  List<Change> changes(String id, String parent) throws IOException;

  /** {@code ApplyDiff}: extracts an uncompressed tar stream; returns the layer size in bytes. */
  long applyDiff(String id, String parent, InputStream tar) throws IOException;

  long diffSize(String id, String parent) throws IOException;

  /** {@code Capabilities}: whether Diff reproduces the layer tar byte for byte. */
  boolean reproducesExactDiffs();

  /** One user-namespace range. */
  record IdMap(long containerId, long hostId, long size) {}

  /** One entry of {@code Changes}: path inside the root file system and its kind. */
  record Change(String path, ChangeKind kind) {}

  /** Docker's change kinds, in wire order: 0 modified, 1 added, 2 deleted. */
  enum ChangeKind {
    MODIFIED,
    ADDED,
    DELETED
  }
}
