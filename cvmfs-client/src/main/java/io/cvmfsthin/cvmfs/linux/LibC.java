package io.cvmfsthin.cvmfs.linux;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.uid_t;

/**
 * The libc functions the file and mount edges need that the JDK lacks; loaded once, through
 * jnr-ffi. Each failing call leaves its errno for {@link Errno#last}.
 */
public interface LibC {
  /** The loaded library. */
  LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

  /** AT_FDCWD for *at(2) calls. */
  int AT_FDCWD = -100;

  /** AT_SYMLINK_NOFOLLOW for utimensat(2). */
  int AT_SYMLINK_NOFOLLOW = 0x100;

  /** CLONE_FS for unshare(2): the calling thread gets its own working directory. */
  int CLONE_FS = 0x00000200;

  @SaveError
  int mount(String source, String target, String fstype, long flags, String data);

  @SaveError
  int umount2(String target, int flags);

  @SaveError
  int unshare(int flags);

  @SaveError
  int chdir(String path);

  @SaveError
  int lsetxattr(String path, String name, @In byte[] value, @size_t long size, int flags);

  @SaveError
  @ssize_t
  long lgetxattr(String path, String name, @Out byte[] value, @size_t long size);

  @SaveError
  @ssize_t
  long llistxattr(String path, @Out byte[] list, @size_t long size);

  @SaveError
  int mknod(String path, @mode_t int mode, @dev_t long dev);

  @SaveError
  int lchown(String path, @uid_t int uid, @gid_t int gid);

  @SaveError
  int chmod(String path, @mode_t int mode);

  @SaveError
  int utimensat(int dirfd, String path, @In long[] times, int flags);

  @SaveError
  int symlink(String target, String linkpath);

  @SaveError
  @ssize_t
  long readlink(String path, @Out byte[] buffer, @size_t long size);

  String strerror(int errnum);
}
