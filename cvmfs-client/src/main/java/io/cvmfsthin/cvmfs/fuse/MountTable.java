package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.linux.MountInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * The mount points listed in a {@code /proc/<pid>/mountinfo} text (core), as strings; parsed by
 * {@link MountInfo}.
 */
public final class MountTable {
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

  /**
   * The device ({@code major:minor}, the third field) of the file system mounted on top at {@code
   * mountPoint}, or null if nothing is mounted there. Read from the table rather than by stat(2): a
   * FUSE daemon that stats its own mount waits for its own answer, and if it is killed meanwhile
   * that wait never ends (the thread keeps the process's descriptors, so the kernel never aborts
   * the connection).
   */
  public static String deviceOf(String mountinfo, String mountPoint) {
    return MountInfo.parse(mountinfo).deviceOf(Path.of(mountPoint));
  }
}
