package io.cvmfsthin.driver.store;

import io.cvmfsthin.cvmfs.linux.Errno;
import io.cvmfsthin.cvmfs.linux.LibC;
import io.cvmfsthin.driver.archive.Symlinks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@link Symlinks} through symlink(2) and readlink(2). */
public final class LibcSymlinks implements Symlinks {
  private final LibC libc = LibC.INSTANCE;

  @Override
  public void create(Path link, String target) throws IOException {
    if (libc.symlink(target, link.toString()) != 0) {
      throw Errno.exception(Errno.last(), "symlink", link.toString());
    }
  }

  @Override
  public String read(Path link) throws IOException {
    byte[] buffer = new byte[4096];
    long n = libc.readlink(link.toString(), buffer, buffer.length);
    if (n < 0) {
      throw Errno.exception(Errno.last(), "readlink", link.toString());
    }
    return new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
  }
}
