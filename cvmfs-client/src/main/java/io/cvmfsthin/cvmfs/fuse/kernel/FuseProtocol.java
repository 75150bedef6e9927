package io.cvmfsthin.cvmfs.fuse.kernel;

/**
 * The kernel FUSE protocol (core): opcodes, flags and the sizes and field offsets of the structs
 * this transport reads and writes, as {@code include/uapi/linux/fuse.h} defines them (little
 * structs of fixed layout, native byte order, 64-bit aligned). Only what is used is named.
 */
final class FuseProtocol {
  static final int MAJOR = 7;

  /** The minor version spoken at most: 7.40 added passthrough. */
  static final int MAX_MINOR = 40;

  /** The root's node id. */
  static final long ROOT_ID = 1;

  // opcodes
  static final int LOOKUP = 1;
  static final int FORGET = 2;
  static final int GETATTR = 3;
  static final int SETATTR = 4;
  static final int READLINK = 5;
  static final int SYMLINK = 6;
  static final int MKNOD = 8;
  static final int MKDIR = 9;
  static final int UNLINK = 10;
  static final int RMDIR = 11;
  static final int RENAME = 12;
  static final int LINK = 13;
  static final int OPEN = 14;
  static final int READ = 15;
  static final int WRITE = 16;
  static final int STATFS = 17;
  static final int RELEASE = 18;
  static final int FSYNC = 20;
  static final int SETXATTR = 21;
  static final int GETXATTR = 22;
  static final int LISTXATTR = 23;
  static final int REMOVEXATTR = 24;
  static final int FLUSH = 25;
  static final int INIT = 26;
  static final int OPENDIR = 27;
  static final int READDIR = 28;
  static final int RELEASEDIR = 29;
  static final int ACCESS = 34;
  static final int CREATE = 35;
  static final int INTERRUPT = 36;
  static final int DESTROY = 38;
  static final int BATCH_FORGET = 42;
  static final int FALLOCATE = 43;
  static final int READDIRPLUS = 44;
  static final int RENAME2 = 45;
  static final int COPY_FILE_RANGE = 47;
  static final int TMPFILE = 51;

  // INIT flags (fuse_init_in/out.flags; flags2 holds bits 32..63)
  static final long ASYNC_READ = 1L << 0;
  static final long DO_READDIRPLUS = 1L << 13;
  static final long READDIRPLUS_AUTO = 1L << 14;
  static final long PARALLEL_DIROPS = 1L << 18;
  static final long MAX_PAGES = 1L << 22;
  static final long CACHE_SYMLINKS = 1L << 23;
  static final long INIT_EXT = 1L << 30;
  static final long PASSTHROUGH = 1L << 37;

  // fuse_open_out.open_flags
  static final int FOPEN_DIRECT_IO = 1 << 0;
  static final int FOPEN_KEEP_CACHE = 1 << 1;
  static final int FOPEN_PASSTHROUGH = 1 << 7;

  // sizes
  static final int IN_HEADER = 40; // len, opcode, unique, nodeid, uid, gid, pid, padding
  static final int OUT_HEADER = 16; // len, error, unique
  static final int ATTR = 88; // struct fuse_attr
  static final int ENTRY_OUT = 40 + ATTR; // nodeid, generation, entry/attr valid (+nsec), attr
  static final int ATTR_OUT = 16 + ATTR; // attr_valid, attr_valid_nsec, dummy, attr
  static final int OPEN_OUT = 16; // fh, open_flags, backing_id
  static final int INIT_OUT = 64;
  static final int STATFS_OUT = 80; // struct fuse_kstatfs
  static final int GETXATTR_OUT = 8; // size, padding
  static final int DIRENT = 24; // ino, off, namelen, type; then the name, padded to 8
  static final int PAGE = 4096;

  /** Pages per request: 1 MiB reads. */
  static final int MAX_PAGES_PER_REQUEST = 256;

  /** The largest READ answered, and the mount's max_read. */
  static final int MAX_READ = MAX_PAGES_PER_REQUEST * PAGE;

  /** Writes are refused, so the kernel's minimum (4 KiB) suffices. */
  static final int MAX_WRITE = PAGE;

  /**
   * A request buffer: the kernel wants room for a maximal WRITE; SETXATTR may carry a 64 KiB value.
   */
  static final int REQUEST_BUFFER = IN_HEADER + 64 + 65536 + PAGE + MAX_WRITE;

  /** A reply buffer: a header and a maximal READ. */
  static final int REPLY_BUFFER = OUT_HEADER + MAX_READ;

  private FuseProtocol() {}

  /** FUSE_DIRENT_ALIGN: a dirent's size rounded up to 8 bytes. */
  static int align8(int n) {
    return (n + 7) & ~7;
  }
}
