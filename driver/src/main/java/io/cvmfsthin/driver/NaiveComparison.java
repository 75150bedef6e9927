package io.cvmfsthin.driver;

import io.cvmfsthin.driver.archive.NaiveChanges;
import io.cvmfsthin.driver.archive.PathChange;
import io.cvmfsthin.driver.archive.Xattrs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * overlay2's naive comparison of a layer with something other than its direct parent: both layers
 * mounted (a get each), compared as whole trees, and put again on {@link #close}. The owner (a Diff
 * stream, or the Changes/DiffSize call) closes it.
 */
final class NaiveComparison implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NaiveComparison.class);

  /** The get/put pair of the driver. */
  interface Layers {
    Path get(String id) throws IOException;

    void put(String id) throws IOException;
  }

  private final Layers layers;
  private final String id;
  private final String parent;
  private final Path newRoot;
  private final List<PathChange> changes;
  private boolean closed;

  private NaiveComparison(
      Layers layers, String id, String parent, Path newRoot, List<PathChange> changes) {
    this.layers = layers;
    this.id = id;
    this.parent = parent;
    this.newRoot = newRoot;
    this.changes = changes;
  }

  /** Mounts {@code id} and {@code parent} (null: compare with an empty tree) and compares. */
  static NaiveComparison open(Layers layers, Xattrs xattrs, String id, String parent)
      throws IOException {
    Path newRoot = layers.get(id);
    try {
      Path oldRoot = parent == null ? null : layers.get(parent);
      try {
        List<PathChange> changes = new NaiveChanges(xattrs).changes(oldRoot, newRoot);
        log.debug("layer {}: naive diff against {}, {} changes", id, parent, changes.size());
        return new NaiveComparison(layers, id, parent, newRoot, changes);
      } catch (IOException | RuntimeException e) {
        if (parent != null) {
          putQuietly(layers, parent);
        }
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      putQuietly(layers, id);
      throw e;
    }
  }

  Path newRoot() {
    return newRoot;
  }

  List<PathChange> changes() {
    return changes;
  }

  /** Size of the added and modified non-directories (each inode once), as overlay2's naive one. */
  long changedSize() throws IOException {
    long size = 0;
    Set<Object> seen = new HashSet<>();
    for (PathChange c : changes) {
      if (c.kind() == PathChange.Kind.DELETED) {
        continue;
      }
      BasicFileAttributes attrs =
          Files.readAttributes(
              newRoot.resolve(c.path().substring(1)),
              BasicFileAttributes.class,
              LinkOption.NOFOLLOW_LINKS);
      if (!attrs.isDirectory() && seen.add(attrs.fileKey())) {
        size += attrs.size();
      }
    }
    return size;
  }

  /** Puts both layers (once; failures are logged, the data is intact either way). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    putQuietly(layers, id);
    if (parent != null) {
      putQuietly(layers, parent);
    }
  }

  private static void putQuietly(Layers layers, String id) {
    try {
      layers.put(id);
    } catch (IOException | RuntimeException e) {
      log.warn("layer {}: put after a naive comparison failed", id, e);
    }
  }
}
