package io.cvmfsthin.cvmfs.fuse;

import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;

/**
 * fuse edge: the libc calls a splice-ready FUSE read needs: a plain file descriptor of a cached
 * object (open/close) and memory libfuse frees itself (malloc). Nothing else uses them.
 */
final class NativeFiles {
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 02000000;

  /** The libc functions used here. */
  public interface LibC {
    int open(String path, int flags);

    int close(int fd);

    Pointer malloc(@size_t long size);
  }

  private static volatile LibC libc;

  private NativeFiles() {}

  static LibC libc() {
    LibC l = libc;
    if (l == null) {
      l = LibraryLoader.create(LibC.class).failImmediately().load("c");
      libc = l;
    }
    return l;
  }

  /** A read-only descriptor of {@code file}, or -1 if it cannot be opened (e.g. just evicted). */
  static int openReadOnly(Path file) {
    return libc().open(file.toString(), O_RDONLY | O_CLOEXEC);
  }

  static void close(int fd) {
    if (fd >= 0) {
      libc().close(fd);
    }
  }

  /** Memory from malloc(3), for libfuse to free(3); null if none is left. */
  static Pointer malloc(long size) {
    return libc().malloc(size);
  }
}
