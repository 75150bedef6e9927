package io.cvmfsthin.cvmfs.prefetch;

import io.cvmfsthin.cvmfs.catalog.Md5Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The layer directories of one thin image, each in its repository: which opened files belong to the
 * image (recording) and which list entries may be fetched (replay). A path belongs to the image if
 * it lies strictly below one of its layer directories, component-wise. Immutable; core.
 */
public final class LayerDirs {
  private final List<ChainKey.Layer> layers;

  public LayerDirs(List<ChainKey.Layer> layers) {
    List<ChainKey.Layer> normal = new ArrayList<>();
    for (ChainKey.Layer l : layers) {
      normal.add(new ChainKey.Layer(l.fqrn(), l.repositoryPath()));
    }
    this.layers = List.copyOf(normal);
  }

  /** The layers, as given, with paths in repository form {@code /a/b}. */
  public List<ChainKey.Layer> layers() {
    return layers;
  }

  /** The repositories, each once, in the order of the layers. */
  public Set<String> repositories() {
    Set<String> out = new LinkedHashSet<>();
    layers.forEach(l -> out.add(l.fqrn()));
    return out;
  }

  /** True if {@code path} of repository {@code fqrn} lies below one of the layer directories. */
  public boolean contains(String fqrn, String path) {
    for (ChainKey.Layer l : layers) {
      if (l.fqrn().equals(fqrn) && below(path, l.path())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The repository of a list entry: the first layer (in the given order) whose directory it lies
   * below; empty if it lies below none (outside the image) or is no repository path.
   */
  public Optional<String> repositoryOf(String path) {
    if (!PrefetchList.isEntry(path)) {
      return Optional.empty();
    }
    for (ChainKey.Layer l : layers) {
      if (below(path, l.path())) {
        return Optional.of(l.fqrn());
      }
    }
    return Optional.empty();
  }

  private static boolean below(String path, String dir) {
    String d = dir.equals("/") ? "" : dir; // "/" is the whole repository as one layer
    return !path.equals(d) && !path.isEmpty() && Md5Path.isAtOrBelow(path, d);
  }
}
