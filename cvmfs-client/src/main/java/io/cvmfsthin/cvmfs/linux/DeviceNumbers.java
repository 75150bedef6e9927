package io.cvmfsthin.cvmfs.linux;

/**
 * glibc's {@code makedev} encoding of {@code dev_t}, which catalogs store in the {@code size}
 * column of device entries (259 = 1,3; 1992 = 7,200).
 */
public final class DeviceNumbers {
  private DeviceNumbers() {}

  public static long makedev(long major, long minor) {
    return ((major & 0xfffL) << 8)
        | ((major & 0xfffff000L) << 32)
        | (minor & 0xffL)
        | ((minor & 0xffffff00L) << 12);
  }

  public static long major(long dev) {
    return ((dev & 0xfff00L) >>> 8) | ((dev & 0xfffff00000000000L) >>> 32);
  }

  public static long minor(long dev) {
    return (dev & 0xffL) | ((dev & 0xffffff00000L) >>> 12);
  }
}
