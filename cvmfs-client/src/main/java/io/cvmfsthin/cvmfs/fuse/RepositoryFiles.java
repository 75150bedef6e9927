package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.catalog.Symlinks;
import io.cvmfsthin.cvmfs.client.ClientCounters;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.fuse.FuseCounters.Op;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fuse edge: what a mounted repository answers, whichever FUSE transport carries the requests
 * (libfuse's callbacks in {@link CvmfsFileSystem}, or the kernel protocol spoken directly in {@code
 * fuse.kernel}). Paths are repository paths ({@code ""} is the root, {@code /a/b}). It owns the
 * table of open files (by the handle {@link #open} returned), the page-cache decisions, the open
 * listener of recorded prefetch and the counters, and it is the one place where exceptions become
 * errnos ({@link #errno}). Thread-safe; no lock is held while a catalog or object is fetched.
 */
public final class RepositoryFiles {
  private static final Logger log = LoggerFactory.getLogger(RepositoryFiles.class);

  // Linux errno values, answered by both transports
  public static final int ENOENT = 2;
  public static final int EIO = 5;
  public static final int EBADF = 9;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int EROFS = 30;
  public static final int ERANGE = 34;
  public static final int ENOSYS = 38;
  public static final int ENODATA = 61;

  private static final String OPAQUE_TRUSTED = "trusted.overlay.opaque";
  private static final String OPAQUE_USER = "user.overlay.opaque";
  private static final int MAX_REMEMBERED_CONTENT = 100_000;

  private final RepositoryClient client;
  private final RepositoryView view;
  private final FuseCounters counters;
  private final Map<Long, Handle> open = new ConcurrentHashMap<>(); // by handle
  private final AtomicLong nextHandle = new AtomicLong(1);
  private final PageCachePolicy pageCache = new PageCachePolicy(MAX_REMEMBERED_CONTENT);
  private volatile OpenListener openListener = OpenListener.NONE; // recorded prefetch

  /** An open file with what its release needs. */
  private record Handle(OpenFile file, String path, Object content) {}

  /**
   * A file opened by {@link #open}.
   *
   * @param handle the key of later reads and the release
   * @param keepCache the kernel may keep the page cache it holds for this file
   * @param directIo the kernel must neither read nor fill the page cache for this open
   * @param fd a plain descriptor of the whole cached content (open until release), or -1
   * @param sizeBytes the file's size
   * @param chunked stored as chunks (never one whole cached copy)
   */
  public record Opened(
      long handle, boolean keepCache, boolean directIo, int fd, long sizeBytes, boolean chunked) {}

  /** A failure that is an answer: the errno it carries, no log line. */
  public static final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    ErrnoException(int errno, String message) {
      super(message);
      this.errno = errno;
    }

    public int errno() {
      return errno;
    }
  }

  RepositoryFiles(RepositoryClient client, RepositoryView view, FuseCounters counters) {
    this.client = client;
    this.view = view;
    this.counters = counters;
  }

  public FuseCounters counters() {
    return counters;
  }

  void openListener(OpenListener listener) {
    this.openListener = listener;
  }

  /** How long the kernel may cache names, attributes and absences: the repository's TTL. */
  public Duration ttl() {
    Duration ttl = client.ttl();
    return ttl.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : ttl;
  }

  public String fqrn() {
    return client.fqrn();
  }

  int openFiles() {
    return open.size();
  }

  String counterText() {
    return counters.format(client.counters());
  }

  MountFacts facts() {
    ClientCounters c = client.counters();
    return new MountFacts(
        client.fqrn(),
        client.revision(),
        client.rootCatalog().toString(),
        client.currentServer(),
        counters.format(c));
  }

  // --- entries ---

  /** What the mount shows at {@code path}, or empty. */
  public Optional<DirectoryEntry> lookup(String path) throws IOException {
    return view.lookup(path);
  }

  /** What the mount shows at {@code path}; NoSuchFileException if nothing. */
  public DirectoryEntry entry(String path) throws IOException {
    Optional<DirectoryEntry> e = view.lookup(path);
    return e.orElseThrow(() -> new NoSuchFileException(path.isEmpty() ? "/" : path));
  }

  /** The children of directory {@code path}, sorted by name. */
  public List<DirectoryEntry> list(String path) throws IOException {
    return view.list(path);
  }

  /** The inode number {@code st_ino} shows: stable across revisions and mounts. */
  public static long inode(DirectoryEntry e) {
    return Inodes.of(e);
  }

  /** What {@code st_size} shows: the target's length for symlinks, 0 for special files. */
  public long shownSize(DirectoryEntry e) {
    if (e.isSymlink()) {
      return linkTarget(e).length;
    }
    return e.kind().isSpecial() ? 0 : e.sizeBytes();
  }

  /** A symlink's target with its variables expanded, as UTF-8. */
  public byte[] linkTarget(DirectoryEntry e) {
    return Symlinks.expand(e.symlink(), System::getenv).getBytes(StandardCharsets.UTF_8);
  }

  // --- open files ---

  /**
   * Opens the regular file at {@code path} for reading (a not chunked file's object is fetched
   * now); {@code withFd}: also keep a plain descriptor of a whole cached copy. Directories answer
   * EISDIR, devices, fifos and sockets EIO (the kernel opens those itself).
   */
  public Opened open(String path, boolean withFd) throws IOException {
    DirectoryEntry e;
    List<FileChunk> chunks;
    while (true) {
      Object revision = view.revisionKey();
      e = view.lookup(path).orElseThrow(() -> new NoSuchFileException(path));
      if (e.isDirectory()) {
        throw new ErrnoException(EISDIR, path);
      }
      if (!e.isRegular()) {
        throw new ErrnoException(EIO, path + ": not a regular file");
      }
      chunks = e.chunked() ? client.chunks(path) : List.of();
      if (revision.equals(view.revisionKey())) {
        break; // entry and chunks are of one revision
      }
    }
    OpenFile f = OpenFile.open(e, chunks, OpenFile.objectFiles(client, e.compression()), withFd);
    long handle = nextHandle.getAndIncrement();
    Object content = e.hash() != null ? e.hash() : chunks;
    open.put(handle, new Handle(f, path, content));
    PageCachePolicy.Decision d = pageCache.open(path, content);
    openListener.opened(client.fqrn(), path);
    return new Opened(
        handle, d.keepCache(), d.directIo(), f.fd(), e.sizeBytes(), !chunks.isEmpty());
  }

  /** The open file of {@code handle}, or null if there is none. */
  OpenFile file(long handle) {
    Handle h = open.get(handle);
    return h == null ? null : h.file();
  }

  /**
   * Reads up to {@code dst.remaining()} bytes of the file open as {@code handle} at {@code
   * position} into {@code dst}; fewer only at the end. EBADF for an unknown handle.
   */
  public int read(long handle, ByteBuffer dst, long position) throws IOException {
    Handle h = open.get(handle);
    if (h == null) {
      throw new ErrnoException(EBADF, "no open file " + handle);
    }
    try {
      int n = h.file().read(dst, position);
      counters.read(n);
      return n;
    } catch (NoSuchFileException e) {
      throw new IOException(h.path() + ": cached content vanished", e); // EIO, not ENOENT
    }
  }

  /** Closes the file open as {@code handle}; unknown handles are ignored. */
  public void release(long handle) {
    Handle h = open.remove(handle);
    if (h != null) {
      pageCache.release(h.path(), h.content());
      try {
        h.file().close();
      } catch (IOException e) {
        log.warn("release {}: closing the cached copy failed", h.path(), e);
      }
    }
  }

  // --- xattrs and file system ---

  /** The value of xattr {@code name} at {@code path}, or null if it has none. */
  public byte[] xattr(String path, String name) throws IOException {
    DirectoryEntry e = entry(path);
    byte[] own = e.xattrs().get(name);
    if (own != null) {
      return own;
    }
    if ((name.equals(OPAQUE_TRUSTED) || name.equals(OPAQUE_USER))
        && e.isDirectory()
        && view.isOpaque(path)) {
      return new byte[] {'y'};
    }
    if (!name.startsWith("user.")) {
      return null;
    }
    String magic =
        MagicXattrs.value(name, e, facts(), x -> x.chunked() ? client.chunks(x.path()).size() : 1);
    return magic == null ? null : magic.getBytes(StandardCharsets.UTF_8);
  }

  /** The xattr names at {@code path}, each followed by a NUL, as listxattr(2) answers. */
  public byte[] xattrNames(String path) throws IOException {
    DirectoryEntry e = entry(path);
    List<String> names = new ArrayList<>(e.xattrs().keySet());
    if (e.isDirectory() && view.isOpaque(path)) {
      names.add(OPAQUE_TRUSTED);
      names.add(OPAQUE_USER);
    }
    names.addAll(MagicXattrs.listed(e));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String n : names) {
      out.writeBytes(n.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }

  /** The cache's size as the file system's: {totalBytes, freeBytes}. */
  public long[] space() {
    ClientCounters c = client.counters();
    long total = c.cacheQuotaBytes() > 0 ? c.cacheQuotaBytes() : c.cacheUsedBytes();
    return new long[] {total, Math.max(0, total - c.cacheUsedBytes())};
  }

  /** Counts a refused write and answers EROFS. */
  public int refused() {
    counters.call(Op.WRITE_REFUSED);
    return EROFS;
  }

  /**
   * The one place exceptions become errnos (positive): {@code NoSuchFileException} → ENOENT, {@code
   * NotDirectoryException} → ENOTDIR, an {@link ErrnoException} its own; anything else EIO, counted
   * and logged with the operation and path.
   */
  public int errno(String op, String path, Exception e) {
    if (e instanceof NoSuchFileException) {
      return ENOENT;
    }
    if (e instanceof NotDirectoryException) {
      return ENOTDIR;
    }
    if (e instanceof ErrnoException x) {
      return x.errno();
    }
    counters.error();
    log.warn("{} {} failed, answering EIO: {}", op, path, e.toString());
    log.debug("{} {} failed", op, path, e);
    return EIO;
  }
}
