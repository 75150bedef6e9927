package io.cvmfsthin.cvmfs.fuse.kernel;

import static io.cvmfsthin.cvmfs.fuse.RepositoryFiles.ERANGE;
import static io.cvmfsthin.cvmfs.fuse.kernel.FuseProtocol.*;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.fuse.RepositoryFiles;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The reply structs of the kernel transport (core): entries, attributes, directory entries, sized
 * xattr answers, written at a given offset of a reply buffer in native byte order, and the content
 * identity {@link NodeTable} keys nodes by.
 */
final class Replies {
  private Replies() {}

  /**
   * What identifies the content of {@code e} for {@link NodeTable}: the content hash of a regular
   * file (size and mtime for a chunked file without one), the target of a symlink, else nothing.
   */
  static Object contentKey(DirectoryEntry e) {
    if (e.isRegular()) {
      return e.hash() != null
          ? e.hash()
          : List.of(e.sizeBytes(), e.mtimeSeconds(), (long) e.mtimeNanos());
    }
    if (e.isSymlink()) {
      return e.symlink();
    }
    return e.kind();
  }

  /** struct fuse_entry_out at {@code at}; {@code e} null (with nodeid 0) for a negative entry. */
  static void entry(ByteBuffer b, int at, long nodeid, DirectoryEntry e, long ttl, long shownSize) {
    b.putLong(at, nodeid);
    b.putLong(at + 8, 0); // generation: ids are never reused
    b.putLong(at + 16, ttl); // entry_valid
    b.putLong(at + 24, e == null ? 0 : ttl); // attr_valid
    b.putInt(at + 32, 0);
    b.putInt(at + 36, 0);
    if (e == null) {
      for (int i = 0; i < ATTR; i += 8) {
        b.putLong(at + 40 + i, 0);
      }
    } else {
      attr(b, at + 40, e, shownSize);
    }
  }

  /** struct fuse_attr at {@code at}. */
  static void attr(ByteBuffer b, int at, DirectoryEntry e, long size) {
    b.putLong(at, RepositoryFiles.inode(e));
    b.putLong(at + 8, size);
    b.putLong(at + 16, (size + 511) / 512);
    b.putLong(at + 24, e.mtimeSeconds());
    b.putLong(at + 32, e.mtimeSeconds());
    b.putLong(at + 40, e.mtimeSeconds());
    b.putInt(at + 48, e.mtimeNanos());
    b.putInt(at + 52, e.mtimeNanos());
    b.putInt(at + 56, e.mtimeNanos());
    b.putInt(at + 60, e.mode());
    b.putInt(at + 64, Math.max(1, e.linkCount()));
    b.putInt(at + 68, (int) e.uid());
    b.putInt(at + 72, (int) e.gid());
    b.putInt(at + 76, e.kind().isDevice() ? (int) e.rdev() : 0);
    b.putInt(at + 80, PAGE); // blksize
    b.putInt(at + 84, 0); // flags
  }

  /** The NUL-terminated UTF-8 string at {@code at}. */
  static String cString(ByteBuffer in, int at) {
    int end = at;
    while (end < in.limit() && in.get(end) != 0) {
      end++;
    }
    byte[] b = new byte[end - at];
    in.get(at, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** size 0 asks for the length; a value longer than size is ERANGE. */
  static int sized(byte[] v, int size, ByteBuffer out) {
    ByteBuffer b = out;
    if (size == 0) {
      b.putInt(0, v.length);
      b.putInt(4, 0);
      return GETXATTR_OUT;
    }
    if (v.length > size || v.length > MAX_READ) {
      return -ERANGE;
    }
    b.put(0, v);
    return v.length;
  }

  /** struct fuse_dirent at {@code at} with its padding; {@code off} is the next entry's offset. */
  static void dirent(ByteBuffer b, int at, long ino, long off, int mode, byte[] name) {
    b.putLong(at, ino);
    b.putLong(at + 8, off);
    b.putInt(at + 16, name.length);
    b.putInt(at + 20, (mode >>> 12) & 0xf); // DT_* is the S_IFMT type shifted down
    b.put(at + DIRENT, name);
    for (int p = at + DIRENT + name.length; p < at + align8(DIRENT + name.length); p++) {
      b.put(p, (byte) 0);
    }
  }
}
