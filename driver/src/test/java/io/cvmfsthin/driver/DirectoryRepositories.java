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

  /** imageStarted/imageStopped calls: (layer id, chain key or null for a stop, layers). */
  final java.util.List<ImageEvent> imageEvents = new java.util.concurrent.CopyOnWriteArrayList<>();

  record ImageEvent(
      String layerId,
      String chainKey,
      java.util.List<io.cvmfsthin.cvmfs.prefetch.ChainKey.Layer> bottomFirst) {}

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

  @Override
  public void imageStarted(
      String layerId,
      String chainKey,
      java.util.List<io.cvmfsthin.cvmfs.prefetch.ChainKey.Layer> bottomFirst) {
    imageEvents.add(new ImageEvent(layerId, chainKey, bottomFirst));
  }

  @Override
  public void imageStopped(String layerId) {
    imageEvents.add(new ImageEvent(layerId, null, java.util.List.of()));
  }

  synchronized int references(String fqrn) {
    return references.getOrDefault(fqrn, 0);
  }
}
