package io.cvmfsthin.driver.layer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The driver's record of a thin layer ({@code <id>/thin}): its real layers resolved to CVMFS
 * directories, top first, each with the short link {@code l/<short>} that stands for it in lower
 * chains. One line per layer: {@code <short> <fqrn> <path>} (a path never contains a newline; a
 * space is allowed only in the last field).
 *
 * @param layers top first
 */
public record ThinRecord(List<Entry> layers) {
  /**
   * One real layer.
   *
   * @param shortId its link name under {@code l/}
   * @param fqrn the repository
   * @param path the layer directory inside the repository
   */
  public record Entry(String shortId, String fqrn, String path) {
    /** {@code cvmfs://fqrn/path}, for messages. */
    public String url() {
      return "cvmfs://" + fqrn + "/" + path;
    }
  }

  /** Copies the list. */
  public ThinRecord {
    layers = List.copyOf(layers);
  }

  /** The relative lower dirs {@code l/<short>}, top first. */
  public List<String> lowerDirs() {
    return layers.stream().map(e -> "l/" + e.shortId()).toList();
  }

  /** The repositories needed, each once, in stack order. */
  public Set<String> repositories() {
    Set<String> repos = new LinkedHashSet<>();
    layers.forEach(e -> repos.add(e.fqrn()));
    return repos;
  }

  /** The file's content. */
  public String format() {
    StringBuilder out = new StringBuilder();
    for (Entry e : layers) {
      out.append(e.shortId())
          .append(' ')
          .append(e.fqrn())
          .append(' ')
          .append(e.path())
          .append('\n');
    }
    return out.toString();
  }

  /** Parses the file's content. */
  public static ThinRecord parse(String text) {
    List<Entry> layers = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split(" ", 3);
      if (parts.length != 3) {
        throw new IllegalArgumentException("bad thin record line: " + line);
      }
      layers.add(new Entry(parts[0], parts[1], parts[2]));
    }
    return new ThinRecord(layers);
  }
}
