package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CernVM-FS client configuration directory as a site has it in {@code /etc/cvmfs}: {@code
 * keys/<fqrn>.pub} and {@code config.d/<fqrn>.conf} naming the test's stratum, direct (no proxy).
 */
public final class CvmfsConfig {
  private CvmfsConfig() {}

  /** Adds {@code fqrn} (its public key and server URL) to the directory {@code etc}; returns it. */
  public static Path add(Path etc, String fqrn, Path publicKey, String serverUrl)
      throws IOException {
    Files.createDirectories(etc.resolve("keys"));
    Files.createDirectories(etc.resolve("config.d"));
    Files.copy(publicKey, etc.resolve("keys").resolve(fqrn + ".pub"));
    Files.writeString(
        etc.resolve("config.d").resolve(fqrn + ".conf"),
        "CVMFS_SERVER_URL=" + serverUrl + "\nCVMFS_HTTP_PROXY=DIRECT\n");
    return etc;
  }
}
