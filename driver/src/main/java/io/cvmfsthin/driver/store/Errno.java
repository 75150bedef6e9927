package io.cvmfsthin.driver.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import jnr.ffi.Runtime;

/** Turns the errno of the last failed libc call into the matching {@link IOException}. */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EACCES = 13;
  public static final int EEXIST = 17;
  public static final int EINVAL = 22;
  public static final int ENODATA = 61;
  public static final int ERANGE = 34;
  public static final int ENOTSUP = 95;

  private Errno() {}

  /** The calling thread's errno after a failed call through {@link LibC}. */
  public static int last() {
    return Runtime.getRuntime(LibC.INSTANCE).getLastError();
  }

  /** An exception for {@code call} on {@code path} failing with {@code errno}. */
  public static IOException exception(int errno, String call, String path) {
    String reason = call + ": " + LibC.INSTANCE.strerror(errno) + " (errno " + errno + ")";
    return switch (errno) {
      case ENOENT -> new NoSuchFileException(path, null, reason);
      case EEXIST -> new FileAlreadyExistsException(path, null, reason);
      case EACCES, EPERM -> new AccessDeniedException(path, null, reason);
      default -> new FileSystemException(path, null, reason);
    };
  }
}
