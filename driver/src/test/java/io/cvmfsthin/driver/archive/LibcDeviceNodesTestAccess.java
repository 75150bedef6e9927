package io.cvmfsthin.driver.archive;

/** glibc's makedev(3), for comparing rdev values in tests. */
final class LibcDeviceNodesTestAccess {
  private LibcDeviceNodesTestAccess() {}

  static long makedev(int major, int minor) {
    long maj = major & 0xffffffffL;
    long min = minor & 0xffffffffL;
    return ((maj & 0xfffff000L) << 32)
        | ((maj & 0xfffL) << 8)
        | ((min & 0xffffff00L) << 12)
        | (min & 0xffL);
  }
}
