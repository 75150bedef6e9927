package io.cvmfsthin.thinimage.image;

import java.util.List;
import java.util.stream.Collectors;

/** Picks the one manifest of an index that serves a platform. */
public final class PlatformSelector {
  private PlatformSelector() {}

  /**
   * The first entry of {@code index} whose platform {@code wanted} accepts; entries without a
   * platform (attestations, {@code unknown/unknown}) are never chosen.
   *
   * @param where names the index in the error message
   * @throws ImageFormatException listing the platforms the index offers
   */
  public static Descriptor select(ImageIndex index, Platform wanted, String where)
      throws ImageFormatException {
    for (Descriptor d : index.manifests()) {
      if (d.platform() != null
          && MediaTypes.MANIFESTS.contains(d.mediaType())
          && wanted.accepts(d.platform())) {
        return d;
      }
    }
    List<String> offered =
        index.manifests().stream()
            .filter(d -> d.platform() != null && !"unknown".equals(d.platform().os()))
            .map(d -> d.platform().toString())
            .collect(Collectors.toList());
    throw new ImageFormatException(
        where + ": no manifest for platform " + wanted + "; the index offers " + offered);
  }
}
