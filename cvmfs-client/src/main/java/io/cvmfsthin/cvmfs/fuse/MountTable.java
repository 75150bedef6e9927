package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.linux.MountInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * The mount points listed in a {@code /proc/<pid>/mountinfo} text (core), as strings; parsed by
 * {@link MountInfo}.
 */
final class MountTable {
  private MountTable() {}

  /** The fifth field of each line, with the kernel's octal escapes ({@code \040}) undone. */
  static List<String> mountPoints(String mountinfo) {
    return MountInfo.parse(mountinfo).entries().stream()
        .map(e -> e.mountPoint().toString())
        .toList();
  }

  /** The file system type of each mount point, e.g. {@code fuse.cvmfs-thin}. */
  static String typeOf(String mountinfo, String mountPoint) {
    return MountInfo.parse(mountinfo).typeOf(Path.of(mountPoint));
  }
}
