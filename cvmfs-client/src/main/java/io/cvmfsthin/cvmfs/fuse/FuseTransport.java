package io.cvmfsthin.cvmfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which code speaks FUSE to the kernel ({@code CVMFS_FUSE_TRANSPORT}): {@code kernel}, the kernel's
 * FUSE protocol spoken directly on {@code /dev/fuse} (needs root: it mounts with mount(2) itself),
 * or {@code libfuse}, libfuse 2's high-level API through jnr-fuse. Unset ({@link #AUTO}, the
 * default) is the kernel transport where it can run (root, with {@code /dev/fuse}) and libfuse
 * elsewhere: the kernel transport answers with fewer round trips and copies (1 MiB reads,
 * passthrough of cached files, TTL-long name and attribute caching), see the project README.
 */
public enum FuseTransport {
  /** Not chosen: {@link #resolve} picks kernel or libfuse when the repository is mounted. */
  AUTO,
  LIBFUSE,
  KERNEL;

  /** The configuration key. */
  public static final String SETTING = "CVMFS_FUSE_TRANSPORT";

  /** {@code auto}, {@code libfuse} or {@code kernel} (any case); null or blank is {@link #AUTO}. */
  public static FuseTransport parse(String value) {
    if (value == null || value.isBlank()) {
      return AUTO;
    }
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "auto":
        return AUTO;
      case "libfuse":
        return LIBFUSE;
      case "kernel":
        return KERNEL;
      default:
        throw new IllegalArgumentException(
            SETTING + "='" + value.strip() + "': expected libfuse, kernel or auto");
    }
  }

  /** The name {@link #parse} reads. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * This transport, or for {@link #AUTO} the one that can run here: {@link #KERNEL} if {@code root}
   * and {@code devFuse} (the device can be opened for reading and writing), else {@link #LIBFUSE}.
   */
  public FuseTransport resolve(boolean root, boolean devFuse) {
    if (this != AUTO) {
      return this;
    }
    return root && devFuse ? KERNEL : LIBFUSE;
  }

  /** Whether this process runs as root (the owner of {@code /proc/self} is its effective uid). */
  static boolean runningAsRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Whether {@code /dev/fuse} can be opened for reading and writing. */
  static boolean devFuseUsable() {
    Path dev = Path.of("/dev/fuse");
    return Files.isReadable(dev) && Files.isWritable(dev);
  }
}
