package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Working directories of end-to-end tests under {@code target/e2e/}, kept after the run so that
 * daemon, registry and plugin logs can be read when something fails.
 */
public final class WorkDirs {
  private WorkDirs() {}

  public static Path create(Class<?> test) throws IOException {
    Path base = Path.of("target", "e2e").toAbsolutePath();
    Files.createDirectories(base);
    return Files.createTempDirectory(base, test.getSimpleName() + "-");
  }

  /**
   * Stops what a test started, in the order given (nulls skipped, failures printed, never thrown),
   * then unmounts whatever is still mounted below {@code work}.
   */
  public static void closeAll(Path work, AutoCloseable... services) {
    for (AutoCloseable c : services) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        System.err.println("clean-up: " + e);
      }
    }
    if (work != null) {
      Mounts.unmountAllBelow(work);
    }
  }
}
