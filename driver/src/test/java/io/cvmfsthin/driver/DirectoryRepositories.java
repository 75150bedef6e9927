package io.cvmfsthin.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A test stand-in for the CVMFS client: each repository is a plain directory already in the layer
 * view (whiteouts as 0/0 devices), with references counted so tests can check symmetry.
 */
final class DirectoryRepositories implements RepositoryMounts {
  private final Path root;
  private final Map<String, Integer> references = new HashMap<>(); // guarded by this
  int acquisitions;
  int releases;

  DirectoryRepositories(Path root) {
    this.root = root;
  }

  @Override
  public boolean isConfigured(String fqrn) {
    return Files.isDirectory(root.resolve(fqrn));
  }

  @Override
  public synchronized Path acquire(String fqrn) throws IOException {
    if (!isConfigured(fqrn)) {
      throw new IOException("no such repository " + fqrn);
    }
    references.merge(fqrn, 1, Integer::sum);
    acquisitions++;
    return root.resolve(fqrn);
  }

  @Override
  public synchronized void release(String fqrn) {
    references.merge(fqrn, -1, Integer::sum);
    releases++;
    if (references.get(fqrn) < 0) {
      throw new IllegalStateException("release without acquire of " + fqrn);
    }
  }

  synchronized int references(String fqrn) {
    return references.getOrDefault(fqrn, 0);
  }
}
