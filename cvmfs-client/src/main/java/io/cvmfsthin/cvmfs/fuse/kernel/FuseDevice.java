package io.cvmfsthin.cvmfs.fuse.kernel;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/**
 * fuse.kernel edge: the only syscalls of the kernel transport, through jnr-ffi: open/close of
 * {@code /dev/fuse}, read(2) of a request and write(2) of a reply (one call each, as the device
 * wants), its ioctls (CLONE, BACKING_OPEN, BACKING_CLOSE) and mount(2).
 */
final class FuseDevice {
  static final int EINTR = 4;
  static final int ENOENT = 2;
  static final int EAGAIN = 11;
  static final int ENODEV = 19;

  private static final String DEV_FUSE = "/dev/fuse";
  private static final int O_RDWR = 2;
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 02000000;
  private static final long MS_RDONLY = 1;
  private static final long MS_NOSUID = 2;
  private static final long MS_NODEV = 4;
  private static final long MS_NOATIME = 1024;

  // _IOR/_IOW(229, nr, size): dir << 30 | size << 16 | 229 << 8 | nr
  private static final long IOC_CLONE = (2L << 30) | (4L << 16) | (229L << 8); // uint32_t
  private static final long IOC_BACKING_OPEN = (1L << 30) | (16L << 16) | (229L << 8) | 1;
  private static final long IOC_BACKING_CLOSE = (1L << 30) | (4L << 16) | (229L << 8) | 2;

  /** The libc functions used here. */
  public interface LibC {
    int open(String path, int flags);

    int close(int fd);

    @ssize_t
    long read(int fd, Pointer buf, @size_t long count);

    @ssize_t
    long write(int fd, Pointer buf, @size_t long count);

    int ioctl(int fd, @u_int64_t long request, Pointer arg);

    int mount(String source, String target, String fstype, @u_int64_t long flags, String data);

    int getuid();

    int getgid();
  }

  private static volatile LibC libc;

  private FuseDevice() {}

  static LibC libc() {
    LibC l = libc;
    if (l == null) {
      l = LibraryLoader.create(LibC.class).failImmediately().load("c");
      libc = l;
    }
    return l;
  }

  /** errno of the last failed call on this thread. */
  static int lastError() {
    return Runtime.getRuntime(libc()).getLastError();
  }

  /** A new descriptor of /dev/fuse. */
  static int open() throws IOException {
    int fd = libc().open(DEV_FUSE, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      throw new IOException("open " + DEV_FUSE + ": errno " + lastError());
    }
    return fd;
  }

  /** A read-only descriptor of {@code file}, or -1. */
  static int openReadOnly(Path file) {
    return libc().open(file.toString(), O_RDONLY | O_CLOEXEC);
  }

  /** A new descriptor of /dev/fuse attached to the connection of {@code master}: its own queue. */
  static int cloneOf(int master) throws IOException {
    int fd = open();
    Pointer arg = Memory.allocateDirect(Runtime.getRuntime(libc()), 4);
    arg.putInt(0, master);
    if (libc().ioctl(fd, IOC_CLONE, arg) != 0) {
      int errno = lastError();
      close(fd);
      throw new IOException("FUSE_DEV_IOC_CLONE: errno " + errno);
    }
    return fd;
  }

  /**
   * Registers {@code fd} (a regular file) as a passthrough backing file of the connection of {@code
   * dev}; its backing id (positive), or minus errno.
   */
  static int backingOpen(int dev, int fd) {
    Pointer map = Memory.allocateDirect(Runtime.getRuntime(libc()), 16);
    map.putInt(0, fd);
    map.putInt(4, 0);
    map.putLong(8, 0);
    int id = libc().ioctl(dev, IOC_BACKING_OPEN, map);
    return id >= 0 ? id : -lastError();
  }

  /** Drops backing id {@code id} of the connection of {@code dev}. */
  static void backingClose(int dev, int id) {
    Pointer arg = Memory.allocateDirect(Runtime.getRuntime(libc()), 4);
    arg.putInt(0, id);
    libc().ioctl(dev, IOC_BACKING_CLOSE, arg);
  }

  static void close(int fd) {
    if (fd >= 0) {
      libc().close(fd);
    }
  }

  /** One request into {@code buf}: its length, or minus errno. */
  static long read(int fd, Pointer buf, long size) {
    long n = libc().read(fd, buf, size);
    return n >= 0 ? n : -lastError();
  }

  /** The notify code of FUSE_NOTIFY_RESEND (kernel 6.9 and later). */
  static final int NOTIFY_RESEND = 7;

  /**
   * True if this kernel resends requests on FUSE_NOTIFY_RESEND: release 6.9 or later, unless {@code
   * -Dcvmfs.fuse.noResend=true} (to try the behaviour of older kernels).
   */
  static boolean kernelResends() {
    if (Boolean.getBoolean("cvmfs.fuse.noResend")) {
      return false;
    }
    try {
      String release = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/osrelease"));
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release.strip());
      if (!m.find()) {
        return false;
      }
      int major = Integer.parseInt(m.group(1));
      int minor = Integer.parseInt(m.group(2));
      return major > 6 || (major == 6 && minor >= 9);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Asks the kernel to queue again every request of the connection of {@code fd} that was read and
   * not answered (FUSE_NOTIFY_RESEND): 0, or minus errno.
   */
  static int notifyResend(int fd) {
    Pointer msg = Memory.allocateDirect(Runtime.getRuntime(libc()), FuseProtocol.OUT_HEADER, true);
    msg.putInt(0, FuseProtocol.OUT_HEADER);
    msg.putInt(4, NOTIFY_RESEND); // a notification: the code in the error field, unique 0
    return write(fd, msg, FuseProtocol.OUT_HEADER);
  }

  /** One reply from {@code buf}: 0, or minus errno. */
  static int write(int fd, Pointer buf, long size) {
    long n = libc().write(fd, buf, size);
    return n >= 0 ? 0 : -lastError();
  }

  /**
   * mount(2) of a read-only FUSE file system served through {@code fd}, as libfuse's mount does for
   * root: source {@code fsName}, type {@code fuse.<subtype>}, nosuid, nodev, noatime.
   */
  static void mount(int fd, Path dir, String fsName, String subtype, boolean allowOther)
      throws IOException {
    StringBuilder data = new StringBuilder();
    data.append("fd=").append(fd);
    data.append(",rootmode=40000");
    data.append(",user_id=").append(libc().getuid());
    data.append(",group_id=").append(libc().getgid());
    data.append(",default_permissions");
    if (allowOther) {
      data.append(",allow_other");
    }
    data.append(",max_read=").append(FuseProtocol.MAX_READ);
    long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOATIME;
    if (libc().mount(fsName, dir.toString(), "fuse." + subtype, flags, data.toString()) != 0) {
      int errno = lastError();
      throw new IOException(
          "mount -t fuse."
              + subtype
              + " "
              + fsName
              + " "
              + dir
              + ": errno "
              + errno
              + (errno == 1 ? " (EPERM: the kernel transport needs root)" : ""));
    }
  }
}
