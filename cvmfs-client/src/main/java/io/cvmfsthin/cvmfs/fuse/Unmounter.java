package io.cvmfsthin.cvmfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** fuse edge: the only caller of umount2(2), and the reader of {@code /proc/self/mountinfo}. */
final class Unmounter {
  private static final int MNT_DETACH = 2;
  private static final int EBUSY = 16;
  private static final int EINVAL = 22;
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  /** The libc function we need. */
  public interface LibC {
    int umount2(String target, int flags);
  }

  private static final class Holder {
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
  }

  /** What an unmount did. */
  enum Result {
    UNMOUNTED,
    DETACHED_BUSY,
    NOT_MOUNTED
  }

  private Unmounter() {}

  /** True if {@code dir} (absolute, normalized) is a mount point now. */
  static boolean isMountPoint(Path dir) throws IOException {
    String info = Files.readString(MOUNTINFO, StandardCharsets.UTF_8);
    return MountTable.mountPoints(info).contains(dir.toString());
  }

  /** Unmounts; if busy, detaches lazily (the file system goes once its last user has gone). */
  static Result unmount(Path dir) throws IOException {
    String target = dir.toString();
    if (umount2(target, 0) == 0) {
      return Result.UNMOUNTED;
    }
    int errno = lastError();
    if (errno == EINVAL) {
      return Result.NOT_MOUNTED;
    }
    if (errno != EBUSY) {
      throw new IOException("umount " + target + ": errno " + errno);
    }
    detach(dir);
    return Result.DETACHED_BUSY;
  }

  /** umount2(MNT_DETACH): also clears a mount whose FUSE server has died (ENOTCONN). */
  static void detach(Path dir) throws IOException {
    if (umount2(dir.toString(), MNT_DETACH) != 0) {
      int errno = lastError();
      if (errno != EINVAL) {
        throw new IOException("umount -l " + dir + ": errno " + errno);
      }
    }
  }

  private static int umount2(String target, int flags) {
    return Holder.LIBC.umount2(target, flags);
  }

  private static int lastError() {
    return Runtime.getRuntime(Holder.LIBC).getLastError();
  }
}
