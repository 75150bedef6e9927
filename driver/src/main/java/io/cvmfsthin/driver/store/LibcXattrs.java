package io.cvmfsthin.driver.store;

import io.cvmfsthin.cvmfs.linux.Errno;
import io.cvmfsthin.cvmfs.linux.LibC;
import io.cvmfsthin.driver.archive.Xattrs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link Xattrs} through lsetxattr/lgetxattr/llistxattr(2); a @Tag("root") test covers it. */
public final class LibcXattrs implements Xattrs {
  private final LibC libc = LibC.INSTANCE;

  @Override
  public void set(Path path, String name, byte[] value) throws IOException {
    if (libc.lsetxattr(path.toString(), name, value, value.length, 0) != 0) {
      throw Errno.exception(Errno.last(), "lsetxattr " + name, path.toString());
    }
  }

  @Override
  public Optional<byte[]> get(Path path, String name) throws IOException {
    byte[] buffer = new byte[256];
    while (true) {
      long n = libc.lgetxattr(path.toString(), name, buffer, buffer.length);
      if (n >= 0) {
        return Optional.of(java.util.Arrays.copyOf(buffer, (int) n));
      }
      int errno = Errno.last();
      if (errno == Errno.ENODATA || errno == Errno.ENOTSUP) {
        return Optional.empty();
      }
      if (errno != Errno.ERANGE || buffer.length >= 1 << 16) {
        throw Errno.exception(errno, "lgetxattr " + name, path.toString());
      }
      buffer = new byte[buffer.length * 4];
    }
  }

  @Override
  public List<String> list(Path path) throws IOException {
    byte[] buffer = new byte[1024];
    while (true) {
      long n = libc.llistxattr(path.toString(), buffer, buffer.length);
      if (n >= 0) {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (buffer[i] == 0) {
            if (i > start) {
              names.add(new String(buffer, start, i - start, StandardCharsets.UTF_8));
            }
            start = i + 1;
          }
        }
        return names;
      }
      int errno = Errno.last();
      if (errno == Errno.ENOTSUP) {
        return List.of();
      }
      if (errno != Errno.ERANGE || buffer.length >= 1 << 20) {
        throw Errno.exception(errno, "llistxattr", path.toString());
      }
      buffer = new byte[buffer.length * 4];
    }
  }
}
