package io.cvmfsthin.cvmfs.fuse;

import java.util.Locale;

/**
 * Which code speaks FUSE to the kernel ({@code CVMFS_FUSE_TRANSPORT}): {@code libfuse}, libfuse 2's
 * high-level API through jnr-fuse (the default), or {@code kernel}, the kernel's FUSE protocol
 * spoken directly on {@code /dev/fuse} (needs root: it mounts with mount(2) itself).
 */
public enum FuseTransport {
  LIBFUSE,
  KERNEL;

  /** The configuration key. */
  public static final String SETTING = "CVMFS_FUSE_TRANSPORT";

  /** {@code libfuse} or {@code kernel} (any case); null or blank is the default, libfuse. */
  public static FuseTransport parse(String value) {
    if (value == null || value.isBlank()) {
      return LIBFUSE;
    }
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "libfuse":
        return LIBFUSE;
      case "kernel":
        return KERNEL;
      default:
        throw new IllegalArgumentException(
            SETTING + "='" + value.strip() + "': expected libfuse or kernel");
    }
  }

  /** The name {@link #parse} reads. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
