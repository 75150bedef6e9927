package io.cvmfsthin.driver.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code <id>/lower} file of overlay2: relative lower dirs {@code l/<short>}, top first, joined
 * by {@code :}. A child's chain is its parent's own link followed by the parent's chain; at most
 * {@value #MAX_DEPTH} entries.
 *
 * @param entries relative lower dirs, top first
 */
public record LowerChain(List<String> entries) {
  /** overlay2's limit on lower layers. */
  public static final int MAX_DEPTH = 128;

  /** Copies the list. */
  public LowerChain {
    entries = List.copyOf(entries);
  }

  /** Parses the file's content. */
  public static LowerChain parse(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return new LowerChain(List.of());
    }
    return new LowerChain(Arrays.asList(trimmed.split(":")));
  }

  /**
   * The chain of a child layer.
   *
   * @param id the child, for the message
   * @param top the entries contributed by the parent (its own link, or a thin layer's stack)
   * @param below the chain under them (the parent's own chain; empty for a thin parent)
   * @throws IllegalArgumentException beyond {@value #MAX_DEPTH} entries
   */
  public static LowerChain child(String id, List<String> top, LowerChain below) {
    List<String> entries = new ArrayList<>(top);
    entries.addAll(below.entries());
    if (entries.size() > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "max depth exceeded: layer "
              + id
              + " would have "
              + entries.size()
              + " lower layers, overlay2 allows "
              + MAX_DEPTH);
    }
    return new LowerChain(entries);
  }

  /** The file's content. */
  public String format() {
    return String.join(":", entries);
  }
}
