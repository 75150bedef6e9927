package io.cvmfsthin.cvmfs.object;

/** How an object's bytes are stored (catalog flag bits 11-13, spec §5). */
public enum Compression {
  ZLIB(0),
  NONE(1);

  private final int id;

  Compression(int id) {
    this.id = id;
  }

  /** The compression's bits in a catalog entry's flags. */
  public int flagBits() {
    return id << 11;
  }

  public static Compression fromFlags(int flags) {
    int id = (flags >> 11) & 7;
    for (Compression c : values()) {
      if (c.id == id) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown compression id " + id + " in flags " + flags);
  }

  /** Parses a {@code CVMFS_COMPRESSION_ALGORITHM} value: default, zlib or none. */
  public static Compression fromConfigName(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "default", "zlib" -> ZLIB;
      case "none" -> NONE;
      default ->
          throw new IllegalArgumentException(
              "unknown compression '" + name + "' (expected zlib or none)");
    };
  }
}
