package io.cvmfsthin.driver.archive;

import java.io.IOException;
import java.nio.file.Path;

/** Creates special files (mknod(2)): character and block devices and fifos. */
public interface DeviceNodes {
  /** A character device; 0/0 is overlay's whiteout. */
  void characterDevice(Path path, int permissions, int major, int minor) throws IOException;

  /** A block device. */
  void blockDevice(Path path, int permissions, int major, int minor) throws IOException;

  /** A named pipe. */
  void fifo(Path path, int permissions) throws IOException;
}
