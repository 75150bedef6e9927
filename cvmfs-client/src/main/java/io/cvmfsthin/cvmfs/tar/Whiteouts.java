package io.cvmfsthin.cvmfs.tar;

/**
 * AUFS whiteout names as found in layer tars, and their overlay forms (spec §10.3, §10.4): {@code
 * .wh.NAME} deletes NAME (overlay: a 0/0 character device NAME), {@code .wh..wh..opq} makes its
 * directory opaque (overlay: {@code trusted.overlay.opaque=y}); other {@code .wh..wh.} names are
 * AUFS metadata and are skipped. One home for these names: the driver's extraction and diffs, and
 * the FUSE layer view that shows a published layer's markers as overlayfs expects them.
 */
public final class Whiteouts {
  /** Prefix of a whiteout file name. */
  public static final String PREFIX = ".wh.";

  /** Name of the opaque-directory marker. */
  public static final String OPAQUE = ".wh..wh..opq";

  /** Prefix of AUFS metadata names. */
  public static final String META_PREFIX = ".wh..wh.";

  /** What a base name means. */
  public enum Kind {
    /** An ordinary name. */
    NONE,
    /** {@code .wh.NAME}: NAME is deleted. */
    WHITEOUT,
    /** {@code .wh..wh..opq}: the directory hides its lower content. */
    OPAQUE,
    /** Other {@code .wh..wh.*}: AUFS metadata, skipped. */
    META
  }

  private Whiteouts() {}

  /** Classifies a base name. */
  public static Kind kind(String baseName) {
    if (!baseName.startsWith(PREFIX)) {
      return Kind.NONE;
    }
    if (baseName.equals(OPAQUE)) {
      return Kind.OPAQUE;
    }
    if (baseName.startsWith(META_PREFIX)) {
      return Kind.META;
    }
    return Kind.WHITEOUT;
  }

  /**
   * The deleted name of a whiteout base name.
   *
   * @throws TarFormatException if nothing useful follows the prefix
   */
  public static String deletedName(String baseName, String entry) throws TarFormatException {
    String name = baseName.substring(PREFIX.length());
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw new TarFormatException(
          "entry " + TarPaths.quote(entry) + ": whiteout of " + TarPaths.quote(name) + " refused");
    }
    return name;
  }

  /** True for every name that is a marker rather than a file of the layer. */
  public static boolean isMarker(String baseName) {
    return baseName.startsWith(PREFIX);
  }

  /**
   * The name a {@code .wh.NAME} marker deletes, or null for opaque and AUFS markers, for markers
   * that name nothing usable, and for ordinary names (the lenient form, for reading a layer that is
   * already published).
   */
  public static String target(String baseName) {
    if (kind(baseName) != Kind.WHITEOUT) {
      return null;
    }
    String name = baseName.substring(PREFIX.length());
    return name.isEmpty() || name.equals(".") || name.equals("..") ? null : name;
  }

  /** The whiteout file name for a deleted base name. */
  public static String whiteoutName(String deleted) {
    return PREFIX + deleted;
  }
}
