package io.cvmfsthin.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.plugin.Main;
import java.nio.file.Path;

/** The project's command line, run in-process (same jar as the plugin's). */
public final class Cli {
  private Cli() {}

  /** Runs {@code cvmfs-thin args...} and fails the test unless it exits 0. */
  public static void run(String... args) {
    assertThat(Main.run(args)).as("cvmfs-thin " + String.join(" ", args)).isZero();
  }

  /** {@code repo create}: a new repository in {@code storage}, keys made in {@code keys}. */
  public static void createRepository(Path storage, Path keys, String fqrn) {
    run("repo", "create", "--storage", storage.toString(), "--keys", keys.toString(), fqrn);
  }

  /** {@code convert}: the image's layers into the repository, the thin image pushed. */
  public static void convert(String source, Path storage, Path keys, String fqrn) {
    run(
        "convert",
        source,
        "--storage",
        storage.toString(),
        "--keys",
        keys.toString(),
        "--fqrn",
        fqrn);
  }
}
