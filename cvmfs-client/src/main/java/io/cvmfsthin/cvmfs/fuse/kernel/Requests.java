package io.cvmfsthin.cvmfs.fuse.kernel;

import static io.cvmfsthin.cvmfs.fuse.RepositoryFiles.EBADF;
import static io.cvmfsthin.cvmfs.fuse.RepositoryFiles.EINVAL;
import static io.cvmfsthin.cvmfs.fuse.RepositoryFiles.ENODATA;
import static io.cvmfsthin.cvmfs.fuse.RepositoryFiles.ENOENT;
import static io.cvmfsthin.cvmfs.fuse.RepositoryFiles.ENOSYS;
import static io.cvmfsthin.cvmfs.fuse.RepositoryFiles.ENOTDIR;
import static io.cvmfsthin.cvmfs.fuse.RepositoryFiles.EROFS;
import static io.cvmfsthin.cvmfs.fuse.kernel.FuseProtocol.*;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.fuse.FuseCounters;
import io.cvmfsthin.cvmfs.fuse.FuseCounters.Op;
import io.cvmfsthin.cvmfs.fuse.RepositoryFiles;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FUSE request in, one reply out (core of the kernel transport): decodes the request, asks
 * {@link RepositoryFiles}, encodes the reply. Node ids are kept by {@link NodeTable}; directory
 * listings are fixed at OPENDIR (offsets stay valid however the revision changes). Writes answer
 * EROFS, unknown opcodes ENOSYS. Names, timeouts (the repository's TTL), READDIRPLUS, 1 MiB reads,
 * keep_cache and, when the kernel offers it, passthrough of whole cached files are negotiated at
 * INIT. Thread-safe: called by every worker at once; buffers are the caller's.
 *
 * <p>The handles given to the kernel carry the worker's generation ({@link NodeJournal}) in their
 * top bits. A handle of an earlier generation is one a predecessor opened before it died: a READ on
 * it reopens the node's file (the same content, or EIO if the path now holds other content) and a
 * READDIR lists the node's directory again, so files and directories held open across a restart
 * stay readable.
 */
final class Requests {
  private static final Logger log = LoggerFactory.getLogger(Requests.class);
  private static final int O_ACCMODE = 03;
  private static final int W_OK = 2;
  private static final int S_IFDIR = 0040000;
  private static final byte[] DOT = {'.'};
  private static final byte[] DOTDOT = {'.', '.'};

  /** Registers backing files for passthrough (the device ioctls). */
  interface Backing {
    /** A backing id for the regular file open as {@code fd}, or minus errno. */
    int open(int fd);

    void close(int backingId);
  }

  private static final int GENERATION_SHIFT = 40;

  private final RepositoryFiles files;
  private final NodeTable nodes;
  private final BackingFiles backings;
  private final NodeJournal journal;
  private final long generation;
  private final Map<Long, Long> reopened = new ConcurrentHashMap<>(); // predecessor's fh -> ours
  private final boolean passthroughWanted;
  private final Map<Long, List<DirectoryEntry>> dirs = new ConcurrentHashMap<>(); // by handle
  private final AtomicLong nextDirHandle = new AtomicLong(1);
  private final CompletableFuture<Void> initialized = new CompletableFuture<>();
  private volatile boolean passthrough; // negotiated at INIT
  private volatile boolean passthroughFailed; // the first refusal is logged, then no more tries

  Requests(RepositoryFiles files, Backing backing, boolean passthroughWanted) {
    this(files, backing, passthroughWanted, NodeJournal.NONE);
  }

  /** Requests of a mount whose state {@code journal} keeps; a predecessor's state is restored. */
  Requests(RepositoryFiles files, Backing backing, boolean passthroughWanted, NodeJournal journal) {
    this.files = files;
    this.journal = journal;
    this.nodes = new NodeTable(journal);
    this.backings = new BackingFiles(backing, journal);
    this.passthroughWanted = passthroughWanted;
    this.generation = journal.state().generation();
    long flags = journal.state().initFlags();
    if (flags >= 0) { // a predecessor answered INIT: the kernel will not send it again
      passthrough = (flags & PASSTHROUGH) != 0;
      initialized.complete(null);
    }
  }

  /** The handle the kernel is given for our {@code handle}: with this worker's generation. */
  private long kernelHandle(long handle) {
    return generation << GENERATION_SHIFT | handle;
  }

  /** True if the kernel's {@code fh} was given out by a predecessor. */
  private boolean fromPredecessor(long fh) {
    return fh >>> GENERATION_SHIFT != generation;
  }

  CompletableFuture<Void> initialized() {
    return initialized;
  }

  boolean passthrough() {
    return passthrough;
  }

  NodeTable nodes() {
    return nodes;
  }

  /**
   * Answers the request in {@code in} (position 0, limit its length) into {@code out} (capacity
   * {@link FuseProtocol#REPLY_BUFFER}); {@code body} is {@code out} from {@link
   * FuseProtocol#OUT_HEADER} on, as a slice of the caller's (made once per worker: nothing is
   * allocated per request but names). The reply's length, or 0 if the request has none.
   */
  int handle(ByteBuffer in, ByteBuffer out, ByteBuffer body) {
    int opcode = in.getInt(4);
    long unique = in.getLong(8);
    long nodeid = in.getLong(16);
    body.clear();
    int r;
    try {
      r = dispatch(opcode, nodeid, in, body);
    } catch (RuntimeException e) {
      log.error("FUSE opcode {} on node {} failed", opcode, nodeid, e);
      r = -RepositoryFiles.EIO;
    }
    FuseCounters.finished();
    if (r == NO_REPLY) {
      return 0;
    }
    int len = r < 0 ? OUT_HEADER : OUT_HEADER + r;
    out.putInt(0, len);
    out.putInt(4, r < 0 ? r : 0);
    out.putLong(8, unique);
    return len;
  }

  private static final int NO_REPLY = Integer.MIN_VALUE;

  /** The body's length (written at {@link FuseProtocol#OUT_HEADER}), minus errno, or NO_REPLY. */
  private int dispatch(int opcode, long nodeid, ByteBuffer in, ByteBuffer out) {
    switch (opcode) {
      case INIT:
        return init(in, out);
      case LOOKUP:
        return lookup(nodeid, in, out);
      case FORGET:
        nodes.forget(nodeid, in.getLong(IN_HEADER));
        return NO_REPLY;
      case BATCH_FORGET:
        int count = in.getInt(IN_HEADER);
        for (int i = 0; i < count; i++) {
          int at = IN_HEADER + 8 + 16 * i;
          nodes.forget(in.getLong(at), in.getLong(at + 8));
        }
        return NO_REPLY;
      case GETATTR:
        return getattr(nodeid, out);
      case READLINK:
        return readlink(nodeid, out);
      case OPEN:
        return open(nodeid, in, out);
      case READ:
        return read(nodeid, in, out);
      case RELEASE:
        return release(in);
      case FLUSH:
        // Nothing to flush on a read-only file system. ENOSYS rather than success: the kernel then
        // never sends FLUSH again (fc->no_flush), which spares every close(2) a round trip here.
        return -ENOSYS;
      case OPENDIR:
        return opendir(nodeid, out);
      case READDIR:
        return readdir(nodeid, in, out, false);
      case READDIRPLUS:
        return readdir(nodeid, in, out, true);
      case RELEASEDIR:
        dirs.remove(in.getLong(IN_HEADER));
        return 0;
      case STATFS:
        return statfs(out);
      case GETXATTR:
        return getxattr(nodeid, in, out);
      case LISTXATTR:
        return listxattr(nodeid, in, out);
      case ACCESS:
        return access(nodeid, in);
      case INTERRUPT:
        return NO_REPLY; // every request is answered soon anyway
      case DESTROY:
        return 0;
      case SETATTR:
      case SYMLINK:
      case MKNOD:
      case MKDIR:
      case UNLINK:
      case RMDIR:
      case RENAME:
      case LINK:
      case WRITE:
      case SETXATTR:
      case REMOVEXATTR:
      case CREATE:
      case FALLOCATE:
      case RENAME2:
      case COPY_FILE_RANGE:
      case TMPFILE:
        return -files.refused();
      default:
        return -ENOSYS; // the kernel remembers it for the ops that have a fallback (fsync, lseek)
    }
  }

  private int init(ByteBuffer in, ByteBuffer out) {
    int major = in.getInt(IN_HEADER);
    int minor = in.getInt(IN_HEADER + 4);
    int maxReadahead = in.getInt(IN_HEADER + 8);
    long offered = in.getInt(IN_HEADER + 12) & 0xffffffffL;
    if ((offered & INIT_EXT) != 0) {
      offered |= (in.getInt(IN_HEADER + 16) & 0xffffffffL) << 32;
    }
    ByteBuffer b = out;
    if (major != MAJOR) {
      log.error("{}: kernel speaks FUSE {}.{}, we speak {}", files.fqrn(), major, minor, MAJOR);
      if (major > MAJOR) {
        b.putInt(0, MAJOR); // the kernel sends INIT again with our major
        return 8;
      }
      return -EINVAL;
    }
    long wanted =
        ASYNC_READ
            | DO_READDIRPLUS
            | READDIRPLUS_AUTO
            | PARALLEL_DIROPS
            | MAX_PAGES
            | CACHE_SYMLINKS
            | INIT_EXT;
    if (passthroughWanted) {
      wanted |= PASSTHROUGH;
    }
    long flags = wanted & offered;
    for (int i = 0; i < INIT_OUT; i += 4) {
      b.putInt(i, 0);
    }
    b.putInt(0, MAJOR);
    b.putInt(4, Math.min(minor, MAX_MINOR));
    b.putInt(8, Math.min(maxReadahead, MAX_READ));
    b.putInt(12, (int) flags);
    b.putShort(16, (short) 64); // max_background: async reads in flight
    b.putShort(18, (short) 48); // congestion_threshold
    b.putInt(20, MAX_WRITE);
    b.putInt(24, 1); // time_gran: nanoseconds
    b.putShort(28, (short) MAX_PAGES_PER_REQUEST);
    b.putInt(32, (int) (flags >>> 32));
    b.putInt(36, (flags & PASSTHROUGH) != 0 ? 1 : 0); // max_stack_depth: room for overlayfs
    passthrough = (flags & PASSTHROUGH) != 0;
    journal.initialized(flags);
    log.info(
        "{}: FUSE {}.{} (kernel {}.{}), flags {}, passthrough {}",
        files.fqrn(),
        MAJOR,
        Math.min(minor, MAX_MINOR),
        major,
        minor,
        Long.toHexString(flags),
        passthrough);
    initialized.complete(null);
    return INIT_OUT;
  }

  private int lookup(long parent, ByteBuffer in, ByteBuffer out) {
    files.counters().call(Op.GETATTR);
    String dir = nodes.path(parent);
    String name = Replies.cString(in, IN_HEADER);
    if (dir == null) {
      return -ENOENT;
    }
    String path = dir + "/" + name;
    try {
      Optional<DirectoryEntry> e = files.lookup(path);
      ByteBuffer b = out;
      if (e.isEmpty()) {
        Replies.entry(
            b, 0, 0, null, ttl(), 0); // nodeid 0: a negative entry the kernel caches for the TTL
        return ENTRY_OUT;
      }
      DirectoryEntry found = e.get();
      long id = nodes.lookedUp(path, Replies.contentKey(found));
      Replies.entry(b, 0, id, found, ttl(), files.shownSize(found));
      return ENTRY_OUT;
    } catch (Exception x) {
      return -files.errno("lookup", path, x);
    }
  }

  private int getattr(long nodeid, ByteBuffer out) {
    files.counters().call(Op.GETATTR);
    String path = nodes.path(nodeid);
    if (path == null) {
      return -ENOENT;
    }
    try {
      Optional<DirectoryEntry> e = files.lookup(path);
      if (e.isEmpty()) {
        return -ENOENT;
      }
      ByteBuffer b = out;
      b.putLong(0, ttl());
      b.putInt(8, 0);
      b.putInt(12, 0);
      Replies.attr(b, 16, e.get(), files.shownSize(e.get()));
      return ATTR_OUT;
    } catch (Exception x) {
      return -files.errno("getattr", path, x);
    }
  }

  private int readlink(long nodeid, ByteBuffer out) {
    files.counters().call(Op.READLINK);
    String path = nodes.path(nodeid);
    try {
      DirectoryEntry e = files.entry(path == null ? "/?" : path);
      if (!e.isSymlink()) {
        return -EINVAL;
      }
      byte[] target = files.linkTarget(e);
      out.put(0, target);
      return target.length;
    } catch (Exception x) {
      return -files.errno("readlink", path, x);
    }
  }

  private int open(long nodeid, ByteBuffer in, ByteBuffer out) {
    files.counters().call(Op.OPEN);
    int flags = in.getInt(IN_HEADER);
    if ((flags & O_ACCMODE) != 0) {
      return -files.refused();
    }
    String path = nodes.path(nodeid);
    if (path == null) {
      return -ENOENT;
    }
    try {
      boolean tryPassthrough = passthrough && !passthroughFailed;
      RepositoryFiles.Opened o = files.open(path, tryPassthrough);
      int openFlags;
      int backingId = 0;
      if (!tryPassthrough || o.chunked()) {
        // a node is one content (NodeTable), so its page cache is always right to keep
        openFlags = FOPEN_KEEP_CACHE;
      } else {
        backingId = backings.acquire(kernelHandle(o.handle()), nodeid, o.fd());
        if (backingId > 0) {
          openFlags = FOPEN_PASSTHROUGH;
        } else {
          if (backingId < 0) {
            passthroughFailed = true;
            log.warn(
                "{}: the kernel refused a passthrough backing file (errno {}) for {}; reading"
                    + " through this process from now on",
                files.fqrn(),
                -backingId,
                path);
          }
          backingId = 0;
          // an inode open for passthrough refuses cached opens and vice versa: direct I/O is
          // neither, so a later passthrough open of this node still works
          openFlags = FOPEN_DIRECT_IO;
        }
      }
      ByteBuffer b = out;
      b.putLong(0, kernelHandle(o.handle()));
      b.putInt(8, openFlags);
      b.putInt(12, backingId);
      return OPEN_OUT;
    } catch (Exception x) {
      return -files.errno("open", path, x);
    }
  }

  private int read(long nodeid, ByteBuffer in, ByteBuffer out) {
    files.counters().call(Op.READ);
    long fh = in.getLong(IN_HEADER);
    long offset = in.getLong(IN_HEADER + 8);
    int size = Math.min(in.getInt(IN_HEADER + 16), MAX_READ);
    out.limit(size);
    try {
      long handle = fromPredecessor(fh) ? reopen(nodeid, fh) : fh & handleMask();
      return files.read(handle, out, offset);
    } catch (Exception x) {
      return -files.errno("read", "handle " + Long.toHexString(fh), x);
    }
  }

  private static long handleMask() {
    return (1L << GENERATION_SHIFT) - 1;
  }

  /** Our handle for a predecessor's {@code fh} of node {@code nodeid}: its file opened again. */
  private long reopen(long nodeid, long fh) throws java.io.IOException {
    Long mine = reopened.get(fh);
    if (mine != null) {
      return mine;
    }
    NodeTable.Key key = nodes.key(nodeid);
    if (key == null) {
      throw new java.io.IOException("a handle of unknown node " + nodeid + " after a restart");
    }
    DirectoryEntry e = files.entry(key.path());
    if (!NodeTable.contentText(Replies.contentKey(e)).equals(key.content())) {
      throw new java.io.IOException(
          key.path() + " holds other content than when it was opened before the restart");
    }
    long handle = files.open(key.path(), false).handle();
    Long raced = reopened.putIfAbsent(fh, handle);
    if (raced != null) {
      files.release(handle);
      return raced;
    }
    log.info("{}: reopened {} after a restart (handle {})", files.fqrn(), key.path(), fh);
    return handle;
  }

  private int release(ByteBuffer in) {
    files.counters().call(Op.RELEASE);
    long fh = in.getLong(IN_HEADER);
    backings.release(fh);
    if (fromPredecessor(fh)) {
      Long mine = reopened.remove(fh);
      if (mine != null) {
        files.release(mine);
      }
    } else {
      files.release(fh & handleMask());
    }
    return 0;
  }

  private int opendir(long nodeid, ByteBuffer out) {
    files.counters().call(Op.OPENDIR);
    String path = nodes.path(nodeid);
    if (path == null) {
      return -ENOENT;
    }
    try {
      if (!files.entry(path).isDirectory()) {
        return -ENOTDIR;
      }
      List<DirectoryEntry> entries = files.list(path);
      long handle = kernelHandle(nextDirHandle.getAndIncrement());
      dirs.put(handle, entries);
      ByteBuffer b = out;
      b.putLong(0, handle);
      b.putInt(8, 0);
      b.putInt(12, 0);
      return OPEN_OUT;
    } catch (Exception x) {
      return -files.errno("opendir", path, x);
    }
  }

  /** Entries from index {@code offset} (0 ".", 1 "..", then the listing) that fit in size. */
  private int readdir(long nodeid, ByteBuffer in, ByteBuffer out, boolean plus) {
    files.counters().call(Op.READDIR);
    long fh = in.getLong(IN_HEADER);
    long offset = in.getLong(IN_HEADER + 8);
    int size = Math.min(in.getInt(IN_HEADER + 16), MAX_READ);
    List<DirectoryEntry> entries = dirs.get(fh);
    String dir = nodes.path(nodeid);
    if (entries == null && dir != null && fromPredecessor(fh)) {
      try { // a directory a predecessor opened: listed again
        entries = files.list(dir);
        dirs.put(fh, entries);
      } catch (Exception x) {
        return -files.errno("readdir", dir, x);
      }
    }
    if (entries == null || dir == null) {
      return -EBADF;
    }
    ByteBuffer b = out;
    int used = 0;
    for (long i = offset; i < entries.size() + 2L; i++) {
      DirectoryEntry e = i < 2 ? null : entries.get((int) (i - 2));
      byte[] name = i == 0 ? DOT : i == 1 ? DOTDOT : e.name().getBytes(StandardCharsets.UTF_8);
      int direntSize = align8(DIRENT + name.length);
      int need = (plus ? ENTRY_OUT : 0) + direntSize;
      if (used + need > size) {
        break;
      }
      int at = used;
      if (plus) {
        if (e == null) {
          Replies.entry(
              b, at, 0, null, 0, 0); // no attributes for "." and "..": the kernel skips them
        } else {
          long id = nodes.lookedUp(e.path(), Replies.contentKey(e));
          Replies.entry(b, at, id, e, ttl(), files.shownSize(e));
        }
        at += ENTRY_OUT;
      }
      long ino = e == null ? (i == 0 ? 1 : 1) : RepositoryFiles.inode(e);
      int mode = e == null ? S_IFDIR : e.mode();
      Replies.dirent(b, at, ino, i + 1, mode, name);
      used += need;
    }
    return used;
  }

  private int statfs(ByteBuffer out) {
    files.counters().call(Op.STATFS);
    long[] space = files.space();
    ByteBuffer b = out;
    long block = PAGE;
    b.putLong(0, space[0] / block); // blocks
    b.putLong(8, space[1] / block); // bfree
    b.putLong(16, space[1] / block); // bavail
    b.putLong(24, 0); // files
    b.putLong(32, 0); // ffree
    b.putInt(40, (int) block); // bsize
    b.putInt(44, 255); // namelen
    b.putInt(48, (int) block); // frsize
    for (int i = 52; i < STATFS_OUT; i += 4) {
      b.putInt(i, 0);
    }
    return STATFS_OUT;
  }

  private int getxattr(long nodeid, ByteBuffer in, ByteBuffer out) {
    files.counters().call(Op.GETXATTR);
    int size = in.getInt(IN_HEADER);
    String name = Replies.cString(in, IN_HEADER + 8);
    String path = nodes.path(nodeid);
    try {
      byte[] v = files.xattr(path == null ? "/?" : path, name);
      return v == null ? -ENODATA : Replies.sized(v, size, out);
    } catch (Exception x) {
      return -files.errno("getxattr", path, x);
    }
  }

  private int listxattr(long nodeid, ByteBuffer in, ByteBuffer out) {
    files.counters().call(Op.LISTXATTR);
    int size = in.getInt(IN_HEADER);
    String path = nodes.path(nodeid);
    try {
      return Replies.sized(files.xattrNames(path == null ? "/?" : path), size, out);
    } catch (Exception x) {
      return -files.errno("listxattr", path, x);
    }
  }

  private int access(long nodeid, ByteBuffer in) {
    files.counters().call(Op.ACCESS);
    if ((in.getInt(IN_HEADER) & W_OK) != 0) {
      return -EROFS;
    }
    String path = nodes.path(nodeid);
    try {
      files.entry(path == null ? "/?" : path);
      return 0;
    } catch (Exception x) {
      return -files.errno("access", path, x);
    }
  }

  private long ttl() {
    return files.ttl().toSeconds();
  }
}
