package io.cvmfsthin.plugin.metrics;

import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link GraphDriverBackend} that times each call and counts its errors under the endpoint's name
 * ({@code Create}, {@code Get}, ...), and keeps the number of layers mounted (a {@code Get} not yet
 * matched by its {@code Put}). A {@code Diff} is timed until its tar stream is closed.
 */
public final class MeteredBackend implements GraphDriverBackend {
  private final GraphDriverBackend backend;
  private final PluginMetrics metrics;
  private final Map<String, Integer> gets = new HashMap<>(); // guarded by itself: layer -> Gets

  public MeteredBackend(GraphDriverBackend backend, PluginMetrics metrics) {
    this.backend = backend;
    this.metrics = metrics;
  }

  /** A call that returns a value and may throw. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  private <T> T timed(String name, Call<T> call) throws IOException {
    long start = System.nanoTime();
    boolean failed = true;
    try {
      T result = call.run();
      failed = false;
      return result;
    } finally {
      metrics.driverCall(name, System.nanoTime() - start, failed);
    }
  }

  @Override
  public void init(Path home, List<String> options, List<IdMap> uidMaps, List<IdMap> gidMaps)
      throws IOException {
    timed(
        "Init",
        () -> {
          backend.init(home, options, uidMaps, gidMaps);
          return null;
        });
  }

  @Override
  public void create(String id, String parent, String mountLabel, Map<String, String> storageOpt)
      throws IOException {
    timed(
        "Create",
        () -> {
          backend.create(id, parent, mountLabel, storageOpt);
          return null;
        });
  }

  @Override
  public void createReadWrite(
      String id, String parent, String mountLabel, Map<String, String> storageOpt)
      throws IOException {
    timed(
        "CreateReadWrite",
        () -> {
          backend.createReadWrite(id, parent, mountLabel, storageOpt);
          return null;
        });
  }

  @Override
  public void remove(String id) throws IOException {
    timed(
        "Remove",
        () -> {
          backend.remove(id);
          return null;
        });
  }

  @Override
  public Path get(String id, String mountLabel) throws IOException {
    Path root = timed("Get", () -> backend.get(id, mountLabel));
    synchronized (gets) {
      gets.merge(id, 1, Integer::sum);
      metrics.layersMounted(gets.size());
    }
    return root;
  }

  @Override
  public void put(String id) throws IOException {
    timed(
        "Put",
        () -> {
          backend.put(id);
          return null;
        });
    synchronized (gets) {
      gets.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
      metrics.layersMounted(gets.size());
    }
  }

  @Override
  public boolean exists(String id) {
    long start = System.nanoTime();
    boolean exists = backend.exists(id);
    metrics.driverCall("Exists", System.nanoTime() - start, false);
    return exists;
  }

  @Override
  public List<Map.Entry<String, String>> status() {
    long start = System.nanoTime();
    List<Map.Entry<String, String>> status = backend.status();
    metrics.driverCall("Status", System.nanoTime() - start, false);
    return status;
  }

  @Override
  public Map<String, String> metadata(String id) throws IOException {
    return timed("GetMetadata", () -> backend.metadata(id));
  }

  @Override
  public void cleanup() throws IOException {
    timed(
        "Cleanup",
        () -> {
          backend.cleanup();
          return null;
        });
  }

  @Override
  public InputStream diff(String id, String parent) throws IOException {
    long start = System.nanoTime();
    InputStream tar;
    try {
      tar = backend.diff(id, parent);
    } catch (IOException | RuntimeException e) {
      metrics.driverCall("Diff", System.nanoTime() - start, true);
      throw e;
    }
    return new FilterInputStream(tar) {
      private boolean closed;

      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          if (!closed) {
            closed = true;
            metrics.driverCall("Diff", System.nanoTime() - start, false);
          }
        }
      }
    };
  }

  @Override
  public List<Change> changes(String id, String parent) throws IOException {
    return timed("Changes", () -> backend.changes(id, parent));
  }

  @Override
  public long applyDiff(String id, String parent, InputStream tar) throws IOException {
    return timed("ApplyDiff", () -> backend.applyDiff(id, parent, tar));
  }

  @Override
  public long diffSize(String id, String parent) throws IOException {
    return timed("DiffSize", () -> backend.diffSize(id, parent));
  }

  @Override
  public boolean reproducesExactDiffs() {
    return backend.reproducesExactDiffs();
  }
}
