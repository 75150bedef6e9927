package io.cvmfsthin.cvmfs.fuse;

import com.kenai.jffi.MemoryIO;
import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.fuse.FuseCounters.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseCallbacks;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * fuse edge: the jnr-fuse callbacks of one mounted repository (the libfuse transport). Each
 * callback asks {@link RepositoryFiles}, which maps exceptions to an errno in one place: {@code
 * NoSuchFileException} → ENOENT, {@code NotDirectoryException} → ENOTDIR, anything else → EIO with
 * a log line. Every write answers EROFS.
 *
 * <p>Open files are kept by the handle {@code open} returned. Nothing here holds a lock while a
 * catalog or object is fetched. Called by libfuse's worker threads.
 */
final class CvmfsFileSystem extends FuseStubFS implements FuseServer {
  private static final Logger log = LoggerFactory.getLogger(CvmfsFileSystem.class);
  private static final int O_ACCMODE = 03;
  private static final int W_OK = 2;
  private static final MemoryIO MEMORY = MemoryIO.getInstance();

  private static final ThreadLocal<FileStat> STATS =
      ThreadLocal.withInitial(() -> new FileStat(jnr.ffi.Runtime.getSystemRuntime()));

  // struct fuse_bufvec { size_t count, idx, off; struct fuse_buf buf[1]; } on LP64
  private static final int BUFVEC_SIZE = 64;
  private static final int BUFVEC_BUF = 24;
  private static final int FUSE_BUF_IS_FD = 1 << 1;
  private static final int FUSE_BUF_FD_SEEK = 1 << 2;

  /**
   * Answer reads of whole cached objects with their descriptor (read_buf) for libfuse to splice.
   */
  static final boolean SPLICE = !Boolean.getBoolean("cvmfs.fuse.noSplice");

  private final FuseCallbacks.GetAttrCallback getattrCallback; // kept: libfuse calls it
  private final FuseCallbacks.ReadbufCallback readBufCallback; // kept: libfuse calls it
  private final RepositoryFiles files;
  private final FuseCounters counters;
  private final CompletableFuture<Void> initialized = new CompletableFuture<>();
  private final CompletableFuture<Void> destroyed = new CompletableFuture<>();

  CvmfsFileSystem(RepositoryFiles files) {
    this.files = files;
    this.counters = files.counters();
    // jnr-fuse builds a FileStat (some twenty jnr objects) for every getattr; a worker thread's
    // own FileStat, pointed at libfuse's buffer, does the same without the garbage
    this.getattrCallback =
        (path, stbuf) -> {
          FileStat st = STATS.get();
          st.useMemory(stbuf);
          return getattr(path, st);
        };
    fuseOperations.getattr.set(getattrCallback);
    this.readBufCallback =
        (path, bufp, size, off, fi) -> readBuf(path, bufp, size, off, FuseFileInfo.of(fi));
    if (SPLICE) {
      fuseOperations.read_buf.set(readBufCallback);
    }
  }

  /** Completes when the kernel has answered INIT: the file system is mounted. */
  @Override
  public CompletableFuture<Void> initialized() {
    return initialized;
  }

  /** Completes when libfuse has left its loop (unmounted). */
  CompletableFuture<Void> destroyed() {
    return destroyed;
  }

  /**
   * Mounts with these libfuse arguments and answers requests on {@link FuseWorkers} threads named
   * {@code <threadName>-<i>} until unmounted; 0, or non-zero if the mount failed.
   */
  int runLoop(String[] args, String threadName) throws InterruptedException {
    return FuseWorkers.run(args, fuseOperations, threadName);
  }

  @Override
  public int serve(Path mountPoint, List<String> args, String threadName)
      throws InterruptedException {
    return runLoop(args.toArray(new String[0]), threadName);
  }

  // --- lifecycle ---

  @Override
  public Pointer init(Pointer conn) {
    initialized.complete(null);
    return null;
  }

  @Override
  public void destroy(Pointer initResult) {
    destroyed.complete(null);
  }

  // --- reading ---

  @Override
  public int getattr(String path, FileStat stat) {
    counters.call(Op.GETATTR);
    try {
      Optional<DirectoryEntry> e = files.lookup(repoPath(path));
      if (e.isEmpty()) {
        return -ErrorCodes.ENOENT(); // the common miss: no exception built
      }
      Stats.fill(stat, e.get(), files.shownSize(e.get()));
      return 0;
    } catch (Exception e) {
      return errno("getattr", path, e);
    }
  }

  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    counters.call(Op.READLINK);
    try {
      DirectoryEntry e = entry(path);
      if (!e.isSymlink()) {
        return -ErrorCodes.EINVAL();
      }
      byte[] target = files.linkTarget(e);
      int n = (int) Math.min(target.length, size - 1);
      buf.put(0, target, 0, n);
      buf.putByte(n, (byte) 0);
      return 0;
    } catch (Exception e) {
      return errno("readlink", path, e);
    }
  }

  @Override
  public int opendir(String path, FuseFileInfo fi) {
    counters.call(Op.OPENDIR);
    try {
      if (!entry(path).isDirectory()) {
        return -ErrorCodes.ENOTDIR();
      }
      return 0;
    } catch (Exception e) {
      return errno("opendir", path, e);
    }
  }

  @Override
  public int readdir(
      String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    counters.call(Op.READDIR);
    try {
      List<DirectoryEntry> entries = files.list(repoPath(path));
      FileStat st = Stats.newStat();
      Pointer stp = Struct.getMemory(st);
      filler.apply(buf, ByteBuffer.wrap(new byte[] {'.', 0}), null, 0);
      filler.apply(buf, ByteBuffer.wrap(new byte[] {'.', '.', 0}), null, 0);
      for (DirectoryEntry e : entries) {
        Stats.fill(st, e, files.shownSize(e));
        if (filler.apply(buf, cString(e.name()), stp, 0) != 0) {
          break;
        }
      }
      return 0;
    } catch (Exception e) {
      return errno("readdir", path, e);
    }
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    counters.call(Op.OPEN);
    if ((fi.flags.get() & O_ACCMODE) != 0) {
      counters.call(Op.WRITE_REFUSED);
      return -ErrorCodes.EROFS();
    }
    try {
      RepositoryFiles.Opened o = files.open(repoPath(path), SPLICE);
      fi.fh.set(o.handle());
      Stats.openFlags(fi, o.keepCache(), o.directIo());
      return 0;
    } catch (Exception e) {
      return errno("open", path, e);
    }
  }

  @Override
  public int read(
      String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    counters.call(Op.READ);
    try {
      // one pread from the cached object straight into libfuse's reply buffer: no copy, no garbage
      int want = (int) Math.min(size, Integer.MAX_VALUE);
      ByteBuffer dst = MEMORY.newDirectByteBuffer(buf.address(), want);
      return files.read(fi.fh.get(), dst, offset);
    } catch (Exception e) {
      return errno("read", path, e);
    }
  }

  /**
   * libfuse's read_buf: for a file kept whole, answers with a buffer that names the cached copy's
   * descriptor and offset, so libfuse splices the bytes into /dev/fuse without copying them through
   * this process (it frees the malloc'ed vector; the descriptor stays open until release). Other
   * files are read into malloc'ed memory as {@link #read} does.
   */
  int readBuf(String path, Pointer bufp, long size, long offset, FuseFileInfo fi) {
    counters.call(Op.READ);
    OpenFile f = files.file(fi.fh.get());
    if (f == null) {
      return -ErrorCodes.EBADF();
    }
    long fileSize = f.entry().sizeBytes();
    long n = offset >= fileSize ? 0 : Math.min(size, fileSize - offset);
    Pointer vec = NativeFiles.malloc(BUFVEC_SIZE);
    if (vec == null) {
      return -ErrorCodes.ENOMEM();
    }
    vec.putLong(0, 1); // count
    vec.putLong(8, 0); // idx
    vec.putLong(16, 0); // off
    vec.putLong(BUFVEC_BUF, n); // buf[0].size
    vec.putLong(BUFVEC_BUF + 8, 0); // flags (int) and padding
    vec.putAddress(BUFVEC_BUF + 16, 0); // mem
    vec.putLong(BUFVEC_BUF + 24, -1); // fd (int) and padding
    vec.putLong(BUFVEC_BUF + 32, offset); // pos
    bufp.putAddress(0, vec.address());
    if (n == 0) {
      return 0;
    }
    int fd = f.fd();
    if (fd >= 0) {
      vec.putInt(BUFVEC_BUF + 8, FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
      vec.putInt(BUFVEC_BUF + 24, fd);
      counters.read(n);
      return 0;
    }
    Pointer mem = NativeFiles.malloc(n);
    if (mem == null) {
      return -ErrorCodes.ENOMEM(); // libfuse frees the vector, whose mem is still null
    }
    vec.putAddress(BUFVEC_BUF + 16, mem.address());
    try {
      int got = files.read(fi.fh.get(), MEMORY.newDirectByteBuffer(mem.address(), (int) n), offset);
      vec.putLong(BUFVEC_BUF, got);
      return 0;
    } catch (Exception e) {
      return errno("read", path, e);
    }
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    counters.call(Op.RELEASE);
    files.release(fi.fh.get());
    return 0;
  }

  @Override
  public int statfs(String path, Statvfs stbuf) {
    counters.call(Op.STATFS);
    long[] space = files.space();
    Stats.fill(stbuf, space[0], space[1], 0);
    return 0;
  }

  @Override
  public int access(String path, int mask) {
    counters.call(Op.ACCESS);
    if ((mask & W_OK) != 0) {
      return -ErrorCodes.EROFS();
    }
    try {
      entry(path);
      return 0;
    } catch (Exception e) {
      return errno("access", path, e);
    }
  }

  @Override
  public int getxattr(String path, String name, Pointer value, @size_t long size) {
    counters.call(Op.GETXATTR);
    try {
      byte[] v = files.xattr(repoPath(path), name);
      if (v == null) {
        return -ErrorCodes.ENODATA();
      }
      return copyOut(v, value, size);
    } catch (Exception e) {
      return errno("getxattr", path, e);
    }
  }

  @Override
  public int listxattr(String path, Pointer list, @size_t long size) {
    counters.call(Op.LISTXATTR);
    try {
      return copyOut(files.xattrNames(repoPath(path)), list, size);
    } catch (Exception e) {
      return errno("listxattr", path, e);
    }
  }

  // --- writes: a read-only file system ---

  @Override
  public int mknod(String path, @mode_t long mode, @dev_t long rdev) {
    return refused();
  }

  @Override
  public int mkdir(String path, @mode_t long mode) {
    return refused();
  }

  @Override
  public int unlink(String path) {
    return refused();
  }

  @Override
  public int rmdir(String path) {
    return refused();
  }

  @Override
  public int symlink(String oldpath, String newpath) {
    return refused();
  }

  @Override
  public int rename(String oldpath, String newpath) {
    return refused();
  }

  @Override
  public int link(String oldpath, String newpath) {
    return refused();
  }

  @Override
  public int chmod(String path, @mode_t long mode) {
    return refused();
  }

  @Override
  public int chown(String path, @uid_t long uid, @gid_t long gid) {
    return refused();
  }

  @Override
  public int truncate(String path, @off_t long size) {
    return refused();
  }

  @Override
  public int write(
      String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return refused();
  }

  @Override
  public int create(String path, @mode_t long mode, FuseFileInfo fi) {
    return refused();
  }

  @Override
  public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
    return refused();
  }

  @Override
  public int removexattr(String path, String name) {
    return refused();
  }

  @Override
  public int utimens(String path, Timespec[] timespec) {
    return refused();
  }

  private int refused() {
    return -files.refused();
  }

  // --- helpers ---

  private DirectoryEntry entry(String fusePath) throws IOException {
    return files.entry(repoPath(fusePath));
  }

  /** FUSE paths are "/" and "/a/b"; repository paths "" and "/a/b". */
  static String repoPath(String fusePath) {
    return fusePath.equals("/") ? "" : fusePath;
  }

  private static ByteBuffer cString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] z = new byte[b.length + 1];
    System.arraycopy(b, 0, z, 0, b.length);
    return ByteBuffer.wrap(z);
  }

  private static int copyOut(byte[] v, Pointer dst, long size) {
    if (size == 0) {
      return v.length;
    }
    if (size < v.length) {
      return -ErrorCodes.ERANGE();
    }
    dst.put(0, v, 0, v.length);
    return v.length;
  }

  /** Exceptions become errnos in {@link RepositoryFiles#errno} only. */
  private int errno(String op, String path, Exception e) {
    return -files.errno(op, path, e);
  }
}
