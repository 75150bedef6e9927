package io.cvmfsthin.cvmfs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where this module's tests find the shared fixtures: the directory the parent POM passes to every
 * test JVM as the system property {@value #PROPERTY}, so the tests read the fixtures in place from
 * any working directory.
 */
public final class SharedFixtures {
  public static final String PROPERTY = "cvmfs.fixtures";

  private SharedFixtures() {}

  /**
   * The repositories the stock CVMFS tools made: {@code cvmfs/}, {@code keys/}, {@code expected/}.
   */
  public static Path realRepo() {
    return root(System.getProperty(PROPERTY)).resolve("cvmfs-real-repo");
  }

  /**
   * The fixtures directory named by {@code value}; fails naming the property when it is unusable.
   */
  static Path root(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + PROPERTY
              + " is not set: run the tests through Maven (the parent POM sets it) or pass -D"
              + PROPERTY
              + "=<path to shared/fixtures>");
    }
    Path root = Path.of(value).toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException(
          "fixtures directory " + root + " (system property " + PROPERTY + ") does not exist");
    }
    return root;
  }
}
