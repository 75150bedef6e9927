package io.cvmfsthin.driver.archive;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Symlinks with their targets byte for byte (symlink(2), readlink(2)); the JDK's {@code Path} would
 * normalise targets such as {@code a//b/}.
 */
public interface Symlinks {
  /** Creates {@code link} pointing at exactly {@code target}. */
  void create(Path link, String target) throws IOException;

  /** The exact target of {@code link}. */
  String read(Path link) throws IOException;
}
