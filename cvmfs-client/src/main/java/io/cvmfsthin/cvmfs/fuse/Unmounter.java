package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.linux.Errno;
import io.cvmfsthin.cvmfs.linux.MountInfo;
import io.cvmfsthin.cvmfs.linux.Umount;
import java.io.IOException;
import java.nio.file.Path;

/** fuse edge: how a repository mount is taken down (umount2(2) and the mount table, in linux). */
final class Unmounter {
  /** What an unmount did. */
  enum Result {
    UNMOUNTED,
    DETACHED_BUSY,
    NOT_MOUNTED
  }

  private Unmounter() {}

  /** True if {@code dir} (absolute, normalized) is a mount point now. */
  static boolean isMountPoint(Path dir) throws IOException {
    return MountInfo.read().isMountPoint(dir);
  }

  /** Unmounts; if busy, detaches lazily (the file system goes once its last user has gone). */
  static Result unmount(Path dir) throws IOException {
    int errno = Umount.umount2(dir, 0);
    if (errno == 0) {
      return Result.UNMOUNTED;
    }
    if (errno == Errno.EINVAL) {
      return Result.NOT_MOUNTED;
    }
    if (errno != Errno.EBUSY) {
      throw new IOException("umount " + dir + ": errno " + errno);
    }
    detach(dir);
    return Result.DETACHED_BUSY;
  }

  /** umount2(MNT_DETACH): also clears a mount whose FUSE server has died (ENOTCONN). */
  static void detach(Path dir) throws IOException {
    int errno = Umount.umount2(dir, Umount.MNT_DETACH);
    if (errno != 0 && errno != Errno.EINVAL) {
      throw new IOException("umount -l " + dir + ": errno " + errno);
    }
  }
}
