package io.cvmfsthin.driver.store;

import io.cvmfsthin.cvmfs.linux.Errno;
import io.cvmfsthin.cvmfs.linux.LibC;
import io.cvmfsthin.driver.archive.FileMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** {@link FileMetadata} through lchown(2), chmod(2) and utimensat(2). */
public final class LibcFileMetadata implements FileMetadata {
  private final LibC libc = LibC.INSTANCE;

  @Override
  public void owner(Path path, int uid, int gid) throws IOException {
    if (libc.lchown(path.toString(), uid, gid) != 0) {
      throw Errno.exception(Errno.last(), "lchown", path.toString());
    }
  }

  @Override
  public void mode(Path path, int mode) throws IOException {
    if (libc.chmod(path.toString(), mode & 07777) != 0) {
      throw Errno.exception(Errno.last(), "chmod", path.toString());
    }
  }

  @Override
  public void times(Path path, FileTime accessed, FileTime modified) throws IOException {
    Instant a = accessed.toInstant();
    Instant m = modified.toInstant();
    long[] times = {a.getEpochSecond(), a.getNano(), m.getEpochSecond(), m.getNano()};
    if (libc.utimensat(LibC.AT_FDCWD, path.toString(), times, LibC.AT_SYMLINK_NOFOLLOW) != 0) {
      throw Errno.exception(Errno.last(), "utimensat", path.toString());
    }
  }
}
