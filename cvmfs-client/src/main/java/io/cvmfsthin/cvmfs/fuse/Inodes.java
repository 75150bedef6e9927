package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.Md5Path;

/**
 * Inode numbers (core): stable across revisions and mounts, derived from the path; the members of a
 * hardlink group (which live in one directory, spec §6.6) share the number of their group.
 */
final class Inodes {
  static final long ROOT = 1;

  private Inodes() {}

  static long of(DirectoryEntry e) {
    if (e.path().isEmpty()) {
      return ROOT;
    }
    String key =
        e.hardlinkGroup() != 0 && !e.isDirectory()
            ? Md5Path.parentPath(e.path()) + "\0hardlink-group\0" + e.hardlinkGroup()
            : e.path();
    Md5Path h = Md5Path.of(key);
    long ino = (h.high() ^ Long.rotateLeft(h.low(), 17)) & Long.MAX_VALUE;
    return ino <= ROOT ? ino + 2 : ino;
  }
}
