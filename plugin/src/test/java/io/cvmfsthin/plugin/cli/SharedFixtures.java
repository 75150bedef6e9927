package io.cvmfsthin.plugin.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared fixture repositories for this module's tests, from the system property {@code
 * cvmfs.fixtures} that the parent POM passes to every test JVM; fails naming the property when it
 * is unset or names no directory.
 */
final class SharedFixtures {
  private SharedFixtures() {}

  /** {@code cvmfs-real-repo}: the repositories the stock CVMFS tools made, and their keys. */
  static Path realRepo() {
    String value = System.getProperty("cvmfs.fixtures", "");
    Path repo = Path.of(value, "cvmfs-real-repo").toAbsolutePath().normalize();
    if (value.isBlank() || !Files.isDirectory(repo)) {
      throw new IllegalStateException(
          "no fixtures at "
              + repo
              + ": set the system property cvmfs.fixtures (the parent POM does)");
    }
    return repo;
  }
}
