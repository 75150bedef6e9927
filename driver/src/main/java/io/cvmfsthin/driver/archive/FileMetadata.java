package io.cvmfsthin.driver.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Owner, mode and times of a path, as tar extraction needs them: owners and times never follow a
 * final symlink (lchown(2), utimensat(2) with AT_SYMLINK_NOFOLLOW), modes keep setuid, setgid and
 * sticky bits (chmod(2)).
 */
public interface FileMetadata {
  /** Sets numeric owner and group of the path itself. */
  void owner(Path path, int uid, int gid) throws IOException;

  /** Sets the 12 permission bits (07777); not for symlinks. */
  void mode(Path path, int mode) throws IOException;

  /** Sets access and modification times of the path itself, to the nanosecond. */
  void times(Path path, FileTime accessed, FileTime modified) throws IOException;
}
