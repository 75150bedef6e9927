package io.cvmfsthin.driver.archive;

import io.cvmfsthin.cvmfs.tar.TarHeaders;
import io.cvmfsthin.cvmfs.tar.Whiteouts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A layer directory in overlay form read as a tar with AUFS whiteouts (spec §10.4), produced as it
 * is read: directories before their content, names sorted, 0/0 character devices as empty {@code
 * .wh.NAME} files (mode 0600), opaque directories followed by {@code .wh..wh..opq}, second names of
 * an inode as hard links, {@code security.capability} carried as Docker's tar writer does. Holds
 * one directory listing per level and one open file, never the layer.
 */
public final class DiffReader extends InputStream {
  private static final Logger log = LoggerFactory.getLogger(DiffReader.class);
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFIFO = 0010000;
  private static final String CAPABILITY = "security.capability";

  private final Path root;
  private final Xattrs xattrs;
  private final Symlinks symlinks;
  private final Deque<Iterator<Path>> stack = new ArrayDeque<>();
  private final Map<String, String> inodes = new HashMap<>(); // "dev:ino" -> first name
  private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
  private byte[] pending = new byte[0];
  private int pendingPos;
  private FileChannel file;
  private long fileRemaining;
  private long filePadding;
  private boolean finished;
  private boolean closed;

  private final java.util.Set<String> included; // null: everything; else "/a/b" paths
  private final Iterator<String> deletions; // "/a/b" paths written as whiteouts at the end
  private final Runnable onClose;

  /** Reads {@code root}'s content (not the root entry itself, as Docker's layer tars do). */
  public DiffReader(Path root, Xattrs xattrs, Symlinks symlinks) throws IOException {
    this(root, xattrs, symlinks, null, List.of(), () -> {});
  }

  private DiffReader(
      Path root,
      Xattrs xattrs,
      Symlinks symlinks,
      java.util.Set<String> included,
      List<String> deletions,
      Runnable onClose)
      throws IOException {
    this.root = root;
    this.xattrs = xattrs;
    this.symlinks = symlinks;
    this.included = included;
    this.deletions = deletions.iterator();
    this.onClose = onClose;
    stack.push(children(root).iterator());
  }

  /**
   * The tar of naive changes: the added and modified entries as found in {@code newRoot} (a
   * complete tree, e.g. a merged view) and a whiteout per deleted path; {@code onClose} runs once
   * when the stream is closed (to release the mounts the trees come from).
   */
  public static DiffReader ofChanges(
      Path newRoot, List<PathChange> changes, Xattrs xattrs, Symlinks symlinks, Runnable onClose)
      throws IOException {
    java.util.Set<String> included = new java.util.HashSet<>();
    List<String> deleted = new ArrayList<>();
    for (PathChange c : changes) {
      if (c.kind() == PathChange.Kind.DELETED) {
        deleted.add(c.path());
      } else {
        included.add(c.path());
      }
    }
    return new DiffReader(newRoot, xattrs, symlinks, included, deleted, onClose);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (pendingPos >= pending.length) {
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(len, pending.length - pendingPos);
    System.arraycopy(pending, pendingPos, b, off, n);
    pendingPos += n;
    return n;
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      onClose.run();
    }
    finished = true;
    stack.clear();
    if (file != null) {
      file.close();
      file = null;
    }
  }

  /** Puts the next bytes into {@code pending}; false at the end. */
  private boolean fill() throws IOException {
    pendingPos = 0;
    if (file != null) {
      chunk.clear();
      if (fileRemaining < chunk.capacity()) {
        chunk.limit((int) fileRemaining);
      }
      int n = file.read(chunk);
      if (n < 0) {
        throw new IOException(
            "file shrank while being read for a diff, " + fileRemaining + " bytes short");
      }
      fileRemaining -= n;
      int pad = fileRemaining == 0 ? (int) filePadding : 0;
      pending = new byte[n + pad];
      System.arraycopy(chunk.array(), 0, pending, 0, n);
      if (fileRemaining == 0) {
        file.close();
        file = null;
      }
      return true;
    }
    if (finished) {
      return false;
    }
    while (!stack.isEmpty()) {
      Iterator<Path> level = stack.peek();
      if (!level.hasNext()) {
        stack.pop();
        continue;
      }
      byte[] header = entry(level.next());
      if (header != null) {
        pending = header;
        return true;
      }
    }
    if (deletions.hasNext()) {
      String path = deletions.next().substring(1);
      int slash = path.lastIndexOf('/');
      String name = Whiteouts.whiteoutName(path.substring(slash + 1));
      pending =
          TarHeaders.encode(
              new TarHeaders.Header(
                  slash < 0 ? name : path.substring(0, slash + 1) + name,
                  TarHeaders.REGULAR,
                  0600,
                  0,
                  0,
                  0,
                  java.time.Instant.now().getEpochSecond(),
                  null,
                  0,
                  0,
                  null));
      return true;
    }
    finished = true;
    pending = new byte[TarHeaders.BLOCK * 2];
    return true;
  }

  private byte[] entry(Path path) throws IOException {
    if (included != null && !included.contains("/" + root.relativize(path))) {
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        stack.push(children(path).iterator());
      }
      return null;
    }
    Map<String, Object> a = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    long uid = ((Integer) a.get("uid")) & 0xffffffffL;
    long gid = ((Integer) a.get("gid")) & 0xffffffffL;
    long mtime = ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond();
    String rel = root.relativize(path).toString();
    int perm = mode & 07777;
    switch (mode & S_IFMT) {
      case S_IFDIR -> {
        stack.push(children(path).iterator());
        byte[] dir =
            TarHeaders.encode(
                new TarHeaders.Header(
                    rel + "/",
                    TarHeaders.DIRECTORY,
                    perm,
                    uid,
                    gid,
                    0,
                    mtime,
                    null,
                    0,
                    0,
                    capability(path)));
        OpaqueValue opaque = new OpaqueValue(xattrs.get(path, Xattrs.OVERLAY_OPAQUE).orElse(null));
        if (opaque.isY()) {
          byte[] marker =
              TarHeaders.encode(
                  new TarHeaders.Header(
                      rel + "/" + Whiteouts.OPAQUE,
                      TarHeaders.REGULAR,
                      perm & 0777,
                      uid,
                      gid,
                      0,
                      mtime,
                      null,
                      0,
                      0,
                      null));
          byte[] both = new byte[dir.length + marker.length];
          System.arraycopy(dir, 0, both, 0, dir.length);
          System.arraycopy(marker, 0, both, dir.length, marker.length);
          return both;
        }
        return dir;
      }
      case S_IFREG -> {
        int nlink = (Integer) a.get("nlink");
        if (nlink > 1) {
          String key = a.get("dev") + ":" + a.get("ino");
          String first = inodes.putIfAbsent(key, rel);
          if (first != null) {
            return TarHeaders.encode(
                new TarHeaders.Header(
                    rel,
                    TarHeaders.HARDLINK,
                    perm,
                    uid,
                    gid,
                    0,
                    mtime,
                    first,
                    0,
                    0,
                    capability(path)));
          }
        }
        long size = (Long) a.get("size");
        byte[] header =
            TarHeaders.encode(
                new TarHeaders.Header(
                    rel,
                    TarHeaders.REGULAR,
                    perm,
                    uid,
                    gid,
                    size,
                    mtime,
                    null,
                    0,
                    0,
                    capability(path)));
        if (size > 0) {
          file = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
          fileRemaining = size;
          filePadding = TarHeaders.padding(size);
        }
        return header;
      }
      case S_IFLNK -> {
        return TarHeaders.encode(
            new TarHeaders.Header(
                rel,
                TarHeaders.SYMLINK,
                perm,
                uid,
                gid,
                0,
                mtime,
                symlinks.read(path),
                0,
                0,
                null));
      }
      case S_IFCHR, S_IFBLK -> {
        long rdev = (Long) a.get("rdev");
        int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
        int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
        if ((mode & S_IFMT) == S_IFCHR && major == 0 && minor == 0) {
          Path parent = root.relativize(path).getParent();
          String name = Whiteouts.whiteoutName(path.getFileName().toString());
          return TarHeaders.encode(
              new TarHeaders.Header(
                  parent == null ? name : parent + "/" + name,
                  TarHeaders.REGULAR,
                  0600,
                  uid,
                  gid,
                  0,
                  mtime,
                  null,
                  0,
                  0,
                  null));
        }
        byte type = (mode & S_IFMT) == S_IFCHR ? TarHeaders.CHAR : TarHeaders.BLOCKDEV;
        return TarHeaders.encode(
            new TarHeaders.Header(
                rel, type, perm, uid, gid, 0, mtime, null, major, minor, capability(path)));
      }
      case S_IFIFO -> {
        return TarHeaders.encode(
            new TarHeaders.Header(
                rel, TarHeaders.FIFO, perm, uid, gid, 0, mtime, null, 0, 0, capability(path)));
      }
      default -> {
        log.warn("diff of {}: skipping {}, a socket or unknown type", root, rel);
        return null;
      }
    }
  }

  /** A present opaque value is exactly "y". */
  private record OpaqueValue(byte[] value) {
    boolean isY() {
      return value != null && value.length == 1 && value[0] == 'y';
    }
  }

  private Map<String, byte[]> capability(Path path) throws IOException {
    return xattrs.get(path, CAPABILITY).map(v -> Map.of(CAPABILITY, v)).orElse(null);
  }

  private static List<Path> children(Path dir) throws IOException {
    List<Path> list = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(list::add);
    }
    list.sort((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString()));
    return list;
  }
}
