package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.Md5Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where layer directories live in a repository: patterns of repository paths whose components are
 * literal names or {@code *} (exactly one component). Everything below a matching directory is
 * shown in the layer view (thin-image spec §4.4). The pattern {@code /} makes the whole repository
 * one layer; no pattern at all is the plain view.
 *
 * <p>Immutable; core.
 */
public final class LayerRoots {
  /** The plain view: no layer roots, exactly what the stock client shows. */
  public static final LayerRoots NONE = new LayerRoots(List.of());

  /** DUCC's and our converter's layout: {@code /.layers/<h2>/<hex>/layerfs}. */
  public static final LayerRoots DUCC = of("/.layers/*/*/layerfs");

  private final List<String[]> patterns;
  private final List<String> texts;

  private LayerRoots(List<String> texts) {
    this.texts = List.copyOf(texts);
    List<String[]> p = new ArrayList<>();
    for (String t : this.texts) {
      p.add(t.isEmpty() ? new String[0] : t.substring(1).split("/"));
    }
    this.patterns = List.copyOf(p);
  }

  /**
   * Parses patterns such as {@code /.layers/* /* /layerfs} (without the spaces) or {@code /}.
   *
   * @throws IllegalArgumentException for a pattern that is not an absolute repository path
   */
  public static LayerRoots of(String... patterns) {
    List<String> out = new ArrayList<>();
    for (String p : patterns) {
      if (!p.startsWith("/")) {
        throw new IllegalArgumentException("layer root pattern must start with '/': '" + p + "'");
      }
      out.add(Md5Path.normalize(p));
    }
    return new LayerRoots(out);
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** The layer root at or above {@code path}, if any (the shortest one). */
  public Optional<String> rootOf(String path) {
    String[] parts = path.isEmpty() ? new String[0] : path.substring(1).split("/");
    for (String[] pattern : patterns) {
      if (parts.length >= pattern.length && matches(pattern, parts)) {
        StringBuilder root = new StringBuilder();
        for (int i = 0; i < pattern.length; i++) {
          root.append('/').append(parts[i]);
        }
        return Optional.of(root.toString());
      }
    }
    return Optional.empty();
  }

  /** True if {@code dir} is a layer root or lies below one: its children are layer content. */
  public boolean covers(String dir) {
    return rootOf(dir).isPresent();
  }

  private static boolean matches(String[] pattern, String[] parts) {
    for (int i = 0; i < pattern.length; i++) {
      if (!pattern[i].equals("*") && !pattern[i].equals(parts[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    List<String> shown = new ArrayList<>();
    texts.forEach(t -> shown.add(t.isEmpty() ? "/" : t));
    return shown.isEmpty() ? "none" : String.join(",", shown);
  }
}
