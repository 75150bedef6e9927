package io.cvmfsthin.driver.store;

import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import io.cvmfsthin.cvmfs.linux.Errno;
import io.cvmfsthin.cvmfs.linux.LibC;
import io.cvmfsthin.driver.archive.DeviceNodes;
import java.io.IOException;
import java.nio.file.Path;

/** {@link DeviceNodes} through mknod(2); needs CAP_MKNOD for devices. */
public final class LibcDeviceNodes implements DeviceNodes {
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFIFO = 0010000;

  private final LibC libc = LibC.INSTANCE;

  @Override
  public void characterDevice(Path path, int permissions, int major, int minor) throws IOException {
    mknod(path, S_IFCHR | (permissions & 07777), DeviceNumbers.makedev(major, minor));
  }

  @Override
  public void blockDevice(Path path, int permissions, int major, int minor) throws IOException {
    mknod(path, S_IFBLK | (permissions & 07777), DeviceNumbers.makedev(major, minor));
  }

  @Override
  public void fifo(Path path, int permissions) throws IOException {
    mknod(path, S_IFIFO | (permissions & 07777), 0);
  }

  private void mknod(Path path, int mode, long dev) throws IOException {
    if (libc.mknod(path.toString(), mode, dev) != 0) {
      throw Errno.exception(Errno.last(), "mknod", path.toString());
    }
  }
}
