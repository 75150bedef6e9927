package io.cvmfsthin.cvmfs.fuse;

/**
 * OCI/AUFS whiteout names in a layer directory (thin-image spec §4.4): {@code .wh.NAME} deletes
 * {@code NAME} of the layers below, {@code .wh..wh..opq} hides everything below in its directory,
 * and other {@code .wh..wh.} names are AUFS bookkeeping that never shows.
 */
final class Whiteouts {
  static final String PREFIX = ".wh.";
  static final String META_PREFIX = ".wh..wh.";
  static final String OPAQUE = ".wh..wh..opq";

  private Whiteouts() {}

  /** True for every name the layer view does not show under its own name. */
  static boolean isMarker(String name) {
    return name.startsWith(PREFIX);
  }

  /**
   * The name a {@code .wh.NAME} marker deletes, or null for opaque/AUFS markers and non-markers.
   */
  static String target(String name) {
    if (!name.startsWith(PREFIX) || name.startsWith(META_PREFIX)) {
      return null;
    }
    String t = name.substring(PREFIX.length());
    return t.isEmpty() ? null : t;
  }

  /** The marker that deletes {@code name}. */
  static String markerFor(String name) {
    return PREFIX + name;
  }
}
