package io.cvmfsthin.driver.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Extended attributes of a path, never following a final symlink (l*xattr(2)). */
public interface Xattrs {
  /** The overlay attribute marking a directory opaque; its value is {@code y}. */
  String OVERLAY_OPAQUE = "trusted.overlay.opaque";

  /** Sets {@code name} to {@code value}. */
  void set(Path path, String name, byte[] value) throws IOException;

  /** The value of {@code name}, empty if the attribute is absent. */
  Optional<byte[]> get(Path path, String name) throws IOException;

  /** Names of all attributes. */
  List<String> list(Path path) throws IOException;
}
