package io.cvmfsthin.cvmfs.linux;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import jnr.ffi.Runtime;

/**
 * errno values (the platform's, from jnr-constants) and the {@link IOException} that matches the
 * errno of the last failed libc call.
 */
public final class Errno {
  public static final int EPERM = value(jnr.constants.platform.Errno.EPERM);
  public static final int ENOENT = value(jnr.constants.platform.Errno.ENOENT);
  public static final int EACCES = value(jnr.constants.platform.Errno.EACCES);
  public static final int EBUSY = value(jnr.constants.platform.Errno.EBUSY);
  public static final int EEXIST = value(jnr.constants.platform.Errno.EEXIST);
  public static final int EINVAL = value(jnr.constants.platform.Errno.EINVAL);
  public static final int ERANGE = value(jnr.constants.platform.Errno.ERANGE);
  public static final int ENODATA = value(jnr.constants.platform.Errno.ENODATA);
  public static final int ENOTSUP = value(jnr.constants.platform.Errno.ENOTSUP);

  private Errno() {}

  private static int value(jnr.constants.platform.Errno errno) {
    if (!errno.defined()) {
      throw new IllegalStateException("errno " + errno.name() + " is unknown on this platform");
    }
    return errno.intValue();
  }

  /** The calling thread's errno after a failed call through {@link LibC}. */
  public static int last() {
    return Runtime.getRuntime(LibC.INSTANCE).getLastError();
  }

  /** The C library's text for {@code errno}, e.g. {@code No such file or directory}. */
  public static String describe(int errno) {
    return LibC.INSTANCE.strerror(errno) + " (errno " + errno + ")";
  }

  /** An exception for {@code call} on {@code path} failing with {@code errno}. */
  public static IOException exception(int errno, String call, String path) {
    String reason = call + ": " + describe(errno);
    if (errno == ENOENT) {
      return new NoSuchFileException(path, null, reason);
    }
    if (errno == EEXIST) {
      return new FileAlreadyExistsException(path, null, reason);
    }
    if (errno == EACCES || errno == EPERM) {
      return new AccessDeniedException(path, null, reason);
    }
    return new FileSystemException(path, null, reason);
  }
}
