package io.cvmfsthin.cvmfs.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class ErrnoTest {
  @Test
  void values_areLinuxOnes() {
    assertThat(Errno.ENOENT).isEqualTo(2);
    assertThat(Errno.EBUSY).isEqualTo(16);
    assertThat(Errno.EINVAL).isEqualTo(22);
    assertThat(Errno.ENODATA).isEqualTo(61);
    assertThat(Errno.ENOTSUP).isEqualTo(95);
  }

  @Test
  void exception_matchesTheErrno_andNamesCallPathAndReason() {
    assertThat(Errno.exception(Errno.ENOENT, "mknod", "/x"))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("/x")
        .hasMessageContaining("mknod: No such file or directory (errno 2)");
    assertThat(Errno.exception(Errno.EEXIST, "symlink", "/x"))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Errno.exception(Errno.EPERM, "lchown", "/x"))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(Errno.exception(Errno.ERANGE, "lgetxattr", "/x"))
        .isExactlyInstanceOf(FileSystemException.class);
  }
}
