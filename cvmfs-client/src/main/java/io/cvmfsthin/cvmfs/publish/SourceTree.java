package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import io.cvmfsthin.cvmfs.tar.TarFormatException;
import io.cvmfsthin.cvmfs.tar.TarPaths;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds the {@link SourceNode} tree of a publication from its entries in tar order, whoever
 * decoded them ({@link TarSource} from a tar stream, or the caller through an {@link EntryReader}):
 * one set of rules, so both give the same tree. Names are hostile input, cleaned from the
 * publication's root as Docker's extraction cleans them ({@code /x}, {@code ../x} and {@code
 * a/../../x} all name {@code x}); a NUL, hard links to anything not earlier in the source, paths
 * through a non-directory and xattrs that do not fit a catalog are refused, naming the entry. Later
 * entries replace earlier ones of the same name, as extraction would. Regular files stream straight
 * into objects; small ones are buffered and written by {@link ContentTasks} while reading goes on
 * (the caller awaits them).
 */
final class SourceTree {
  private final ContentWriter writer;
  private final ContentTasks tasks;
  private final long nowSeconds;
  private final SourceNode root;

  SourceTree(ContentWriter writer, ContentTasks tasks, long nowSeconds) {
    this.writer = writer;
    this.tasks = tasks;
    this.nowSeconds = nowSeconds;
    this.root = SourceNode.directory(nowSeconds);
    root.implicit = true;
  }

  /** Reads every entry of {@code entries}; returns the tree's root directory. */
  static SourceNode read(
      EntryReader entries, ContentWriter writer, ContentTasks tasks, long nowSeconds)
      throws IOException {
    SourceTree tree = new SourceTree(writer, tasks, nowSeconds);
    PublishEntry e;
    while ((e = entries.next()) != null) {
      tree.add(e, entries.content());
    }
    return tree.root;
  }

  SourceNode root() {
    return root;
  }

  /** Adds one entry; a regular file's content is read from {@code content}. */
  void add(PublishEntry e, InputStream content) throws IOException {
    String name = e.name();
    List<String> path = components(name);
    if (e.hardLink()) {
      link(path, e);
      return;
    }
    SourceNode node = new SourceNode(e.kind());
    switch (e.kind()) {
      case DIRECTORY -> node.sizeBytes = SourceNode.DIRECTORY_SIZE;
      case SYMLINK -> {
        node.symlink = checkSymlink(name, e.linkTarget());
        node.sizeBytes = node.symlink.getBytes(StandardCharsets.UTF_8).length;
      }
      case CHAR_DEVICE, BLOCK_DEVICE ->
          node.rdev = DeviceNumbers.makedev(e.devMajor(), e.devMinor());
      case FIFO -> {}
      case REGULAR -> {
        node.sizeBytes = e.sizeBytes();
        content(node, e, content);
      }
      default ->
          throw new TarFormatException("tar entry '" + shorten(name) + "': unsupported entry type");
    }
    node.permissions = e.permissions() & 07777;
    node.uid = e.uid();
    node.gid = e.gid();
    node.mtimeSeconds = e.mtimeSeconds();
    node.xattrs = checkXattrs(name, e.xattrs());
    if (path.isEmpty()) {
      if (!node.isDirectory()) {
        throw new TarFormatException("tar entry '" + shorten(name) + "': the root is no directory");
      }
      root.takeMetadataOf(node);
      return;
    }
    place(path, node, name);
  }

  private void content(SourceNode node, PublishEntry e, InputStream in) throws IOException {
    String what = "tar entry '" + shorten(e.name()) + "'";
    long size = e.sizeBytes();
    if (!tasks.fits(size)) {
      node.content = writer.write(in, size, what, tasks); // chunks stored in parallel
      return;
    }
    // small enough to buffer: compress and store it while the next entries are read
    int n = (int) size;
    tasks.reserve(n);
    byte[] data = new byte[n]; // read straight into an array of the exact size: no copies
    try {
      int read = in.readNBytes(data, 0, n);
      if (read < n) {
        throw new EOFException(what + ": ended after " + read + " of " + n + " bytes");
      }
    } catch (IOException | RuntimeException ex) {
      tasks.release(n);
      throw ex;
    }
    tasks.submit(n, () -> node.content = writer.write(data, what));
  }

  private void link(List<String> path, PublishEntry e) throws TarFormatException {
    String name = e.name();
    SourceNode target;
    try {
      target = lookup(components(e.linkTarget()));
    } catch (TarFormatException bad) {
      throw new TarFormatException(
          "tar entry '"
              + shorten(name)
              + "': hard link to '"
              + shorten(e.linkTarget())
              + "' leaves the archive",
          bad);
    }
    if (target == null || target.isDirectory()) {
      throw new TarFormatException(
          "tar entry '"
              + shorten(name)
              + "': hard link to '"
              + shorten(e.linkTarget())
              + "', which is no earlier file of the archive");
    }
    if (path.isEmpty()) {
      throw new TarFormatException("tar entry '" + shorten(name) + "': hard link as the root");
    }
    place(path, target, name);
  }

  /** Puts {@code node} at {@code path}, making missing parents; a directory keeps its children. */
  private void place(List<String> path, SourceNode node, String name) throws TarFormatException {
    SourceNode dir = root;
    for (int i = 0; i < path.size() - 1; i++) {
      SourceNode next = dir.children.get(path.get(i));
      if (next == null) {
        next = SourceNode.directory(nowSeconds);
        next.implicit = true;
        dir.children.put(path.get(i), next);
      } else if (!next.isDirectory()) {
        throw new TarFormatException(
            "tar entry '"
                + shorten(name)
                + "': its parent '"
                + String.join("/", path.subList(0, i + 1))
                + "' is not a directory");
      }
      dir = next;
    }
    String last = path.get(path.size() - 1);
    SourceNode existing = dir.children.get(last);
    if (existing != null && existing.isDirectory() && node.isDirectory()) {
      existing.takeMetadataOf(node);
    } else {
      dir.children.put(last, node);
    }
  }

  private SourceNode lookup(List<String> path) {
    SourceNode n = root;
    for (String c : path) {
      n = n.isDirectory() ? n.children.get(c) : null;
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  /**
   * The components of an entry name, cleaned from the layer root as Docker's extraction does
   * ({@link TarPaths}); refuses only NUL.
   */
  static List<String> components(String name) throws TarFormatException {
    if (name.indexOf('\0') >= 0) {
      throw new TarFormatException("tar entry '" + shorten(name) + "': NUL in the name");
    }
    return TarPaths.components(name);
  }

  /**
   * A symlink's target is data, kept as written (absolute or climbing, as Docker keeps it: it is
   * resolved inside whatever root follows it); only an empty target or a NUL is refused.
   */
  private static String checkSymlink(String name, String target) throws TarFormatException {
    if (target.isEmpty() || target.indexOf('\0') >= 0) {
      throw new TarFormatException("tar entry '" + shorten(name) + "': empty symlink target");
    }
    return target;
  }

  /**
   * Names of 1-255 bytes, values of at most 255 bytes, at most 255 of them (a catalog's limits).
   */
  private static SortedMap<String, byte[]> checkXattrs(String name, Map<String, byte[]> xattrs)
      throws TarFormatException {
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      String attr = x.getKey();
      byte[] value = x.getValue();
      if (attr.isEmpty()
          || attr.getBytes(StandardCharsets.UTF_8).length > 255
          || value.length > 255) {
        throw new TarFormatException(
            "tar entry '"
                + shorten(name)
                + "': xattr '"
                + shorten(attr)
                + "' does not fit a catalog (name 1-255 bytes, value at most 255 bytes, got "
                + value.length
                + ")");
      }
    }
    if (xattrs.size() > 255) {
      throw new TarFormatException("tar entry '" + shorten(name) + "': more than 255 xattrs");
    }
    return new TreeMap<>(xattrs);
  }

  static String shorten(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
