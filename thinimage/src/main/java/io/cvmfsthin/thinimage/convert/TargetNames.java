package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.reference.ImageReference;

/** Names derived from the source image: the default target and the thin.json origin. */
public final class TargetNames {
  private TargetNames() {}

  /**
   * DUCC's default output, {@code <registry>/<repository>_thin:<tag>} (thin-image.md §3.2).
   *
   * @throws IllegalArgumentException for a digest-only source (no tag to keep)
   */
  public static ImageReference defaultTarget(ImageReference source) {
    if (source.tag() == null) {
      throw new IllegalArgumentException(
          "source " + source + " has no tag; give TARGET explicitly");
    }
    return new ImageReference(source.registry(), source.repository() + "_thin", source.tag(), null);
  }

  /**
   * The descriptor's {@code origin} in DUCC's form, {@code
   * <scheme>://<registry>/<repository>:<tag>} (Docker Hub as {@code
   * https://registry.hub.docker.com}), {@code @<digest>} appended when pinned.
   */
  public static String origin(ImageReference source, String scheme) {
    String registry =
        source.registry().equals(ImageReference.DOCKER_HUB)
            ? "registry.hub.docker.com"
            : source.registry();
    StringBuilder sb = new StringBuilder(scheme).append("://").append(registry).append('/');
    sb.append(source.repository());
    if (source.tag() != null) {
      sb.append(':').append(source.tag());
    }
    if (source.digest() != null) {
      sb.append('@').append(source.digest());
    }
    return sb.toString();
  }
}
