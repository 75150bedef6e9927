package io.cvmfsthin.thinimage.thin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A thin-image descriptor ({@code thin.json}, thin-image.md §1.2).
 *
 * @param version descriptor version, e.g. {@code "1.0"}
 * @param minVersion oldest reader version able to use it, or {@code null}
 * @param origin free-text provenance, or {@code null}
 * @param layers the real layers, <b>bottom-first</b> (base layer first)
 * @param comment free text, or {@code null}
 */
public record ThinImage(
    String version, String minVersion, String origin, List<ThinLayer> layers, String comment) {

  /** The highest descriptor version this code reads and writes. */
  public static final String IMPLEMENTED_VERSION = "1.1";

  /** At most this many layers, so a container's init and upper layer stay within 128 lowers. */
  public static final int MAX_LAYERS = 127;

  /** Copies {@code layers}; requires a version. */
  public ThinImage {
    if (version == null || version.isEmpty()) {
      throw new IllegalArgumentException("version missing");
    }
    layers = List.copyOf(layers);
  }

  /**
   * The layers as overlay lower dirs want them: top-first, each {@code url} once (its top-most
   * occurrence kept, thin-image.md §1.5 rule 3).
   */
  public List<ThinLayer> lowerStack() {
    List<ThinLayer> topFirst = new ArrayList<>(layers);
    Collections.reverse(topFirst);
    Set<CvmfsUrl> seen = new HashSet<>();
    List<ThinLayer> unique = new ArrayList<>();
    for (ThinLayer layer : topFirst) {
      if (seen.add(layer.url())) {
        unique.add(layer);
      }
    }
    return List.copyOf(unique);
  }
}
