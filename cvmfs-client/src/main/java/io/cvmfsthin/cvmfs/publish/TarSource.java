package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.DeviceNumbers;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.tar.RawPaxHeaders;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Edge: reads a tar stream (plain or gzip) entry by entry into a {@link SourceNode} tree; regular
 * files stream straight into objects. Tar input is hostile: absolute names, {@code ..}, hard links
 * to anything outside the archive, relative symlinks that climb above the published tree, paths
 * through a non-directory and unsupported entry types are refused, naming the entry. Later entries
 * replace earlier ones of the same name, as extraction would. Extended attributes come from PAX
 * {@code SCHILY.xattr.*} (and {@code LIBARCHIVE.xattr.*}) records. Small files are buffered and
 * written by {@link ContentTasks} while reading goes on; the caller awaits them.
 */
final class TarSource {
  private final ContentWriter writer;
  private final ContentTasks tasks;
  private final long nowSeconds;

  TarSource(ContentWriter writer, ContentTasks tasks, long nowSeconds) {
    this.writer = writer;
    this.tasks = tasks;
    this.nowSeconds = nowSeconds;
  }

  /** Reads the whole stream; returns the tree's root directory (the tar's {@code ./}). */
  SourceNode read(InputStream raw) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw, 64 * 1024);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    InputStream in =
        (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(buffered, 64 * 1024) : buffered;
    SourceNode root = SourceNode.directory(nowSeconds);
    root.implicit = true;
    // commons-compress decodes PAX values as UTF-8; the raw records keep binary xattrs exact
    RawPaxHeaders pax = new RawPaxHeaders(in);
    TarArchiveInputStream tar = new TarArchiveInputStream(pax, StandardCharsets.UTF_8.name());
    TarArchiveEntry entry;
    try {
      while (true) {
        pax.startRecording();
        entry = tar.getNextEntry();
        if (entry == null) {
          break;
        }
        add(root, entry, tar, pax.xattrs());
      }
    } catch (TarFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new TarFormatException("unreadable tar stream: " + e.getMessage(), e);
    }
    return root;
  }

  private void add(
      SourceNode root, TarArchiveEntry e, InputStream tar, Map<String, byte[]> rawXattrs)
      throws IOException {
    String name = e.getName();
    List<String> path = components(name);
    SourceNode node;
    if (e.isDirectory()) {
      node = new SourceNode(EntryKind.DIRECTORY);
      node.sizeBytes = SourceNode.DIRECTORY_SIZE;
    } else if (e.isSymbolicLink()) {
      node = new SourceNode(EntryKind.SYMLINK);
      node.symlink = checkSymlink(name, path, e.getLinkName());
      node.sizeBytes = node.symlink.getBytes(StandardCharsets.UTF_8).length;
    } else if (e.isLink()) {
      SourceNode target;
      try {
        target = lookup(root, components(e.getLinkName()));
      } catch (TarFormatException bad) {
        throw new TarFormatException(
            "tar entry '"
                + shorten(name)
                + "': hard link to '"
                + shorten(e.getLinkName())
                + "' leaves the archive",
            bad);
      }
      if (target == null || target.isDirectory()) {
        throw new TarFormatException(
            "tar entry '"
                + shorten(name)
                + "': hard link to '"
                + shorten(e.getLinkName())
                + "', which is no earlier file of the archive");
      }
      if (path.isEmpty()) {
        throw new TarFormatException("tar entry '" + shorten(name) + "': hard link as the root");
      }
      place(root, path, target, name);
      return;
    } else if (e.isCharacterDevice() || e.isBlockDevice()) {
      node = new SourceNode(e.isCharacterDevice() ? EntryKind.CHAR_DEVICE : EntryKind.BLOCK_DEVICE);
      node.rdev = DeviceNumbers.makedev(e.getDevMajor(), e.getDevMinor());
    } else if (e.isFIFO()) {
      node = new SourceNode(EntryKind.FIFO);
    } else if (e.isSparse()) {
      throw new TarFormatException(
          "tar entry '" + shorten(name) + "': sparse files are not supported");
    } else if (e.isFile()) {
      node = new SourceNode(EntryKind.REGULAR);
      node.sizeBytes = e.getSize();
      String what = "tar entry '" + shorten(name) + "'";
      if (tasks.fits(e.getSize())) {
        // small enough to buffer: compress and store it while the next entries are read
        int n = (int) e.getSize();
        tasks.reserve(n);
        byte[] data;
        try {
          data = tar.readNBytes(n);
          if (data.length < n) {
            throw new java.io.EOFException(
                what + ": ended after " + data.length + " of " + n + " bytes");
          }
        } catch (IOException | RuntimeException ex) {
          tasks.release(n);
          throw ex;
        }
        SourceNode file = node;
        tasks.submit(
            n, () -> file.content = writer.write(new java.io.ByteArrayInputStream(data), n, what));
      } else {
        node.content = writer.write(tar, e.getSize(), what);
      }
    } else {
      throw new TarFormatException("tar entry '" + shorten(name) + "': unsupported entry type");
    }
    node.permissions = e.getMode() & 07777;
    node.uid = e.getLongUserId();
    node.gid = e.getLongGroupId();
    node.mtimeSeconds = Math.floorDiv(e.getLastModifiedTime().toMillis(), 1000);
    node.xattrs = xattrs(name, e.getExtraPaxHeaders(), rawXattrs);
    if (path.isEmpty()) {
      if (!node.isDirectory()) {
        throw new TarFormatException("tar entry '" + shorten(name) + "': the root is no directory");
      }
      root.takeMetadataOf(node);
      return;
    }
    place(root, path, node, name);
  }

  /** Puts {@code node} at {@code path}, making missing parents; a directory keeps its children. */
  private void place(SourceNode root, List<String> path, SourceNode node, String name)
      throws TarFormatException {
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

  private static SourceNode lookup(SourceNode root, List<String> path) {
    SourceNode n = root;
    for (String c : path) {
      n = n.isDirectory() ? n.children.get(c) : null;
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  /** The components of an entry name; refuses absolute names, '..' and NUL. */
  static List<String> components(String name) throws TarFormatException {
    if (name.startsWith("/")) {
      throw new TarFormatException("tar entry '" + shorten(name) + "': absolute path refused");
    }
    if (name.indexOf('\0') >= 0) {
      throw new TarFormatException("tar entry '" + shorten(name) + "': NUL in the name");
    }
    List<String> out = new ArrayList<>();
    for (String c : name.split("/")) {
      if (c.equals("..")) {
        throw new TarFormatException("tar entry '" + shorten(name) + "': '..' in the path refused");
      }
      if (!c.isEmpty() && !c.equals(".")) {
        out.add(c);
      }
    }
    return out;
  }

  /** A relative symlink must not climb above the published tree; absolute ones are data. */
  private static String checkSymlink(String name, List<String> path, String target)
      throws TarFormatException {
    if (target.isEmpty() || target.indexOf('\0') >= 0) {
      throw new TarFormatException("tar entry '" + shorten(name) + "': empty symlink target");
    }
    if (target.startsWith("/")) {
      return target;
    }
    int depth = Math.max(0, path.size() - 1);
    for (String c : target.split("/")) {
      if (c.equals("..")) {
        if (--depth < 0) {
          throw new TarFormatException(
              "tar entry '"
                  + shorten(name)
                  + "': symlink to '"
                  + shorten(target)
                  + "' leaves the published tree");
        }
      } else if (!c.isEmpty() && !c.equals(".")) {
        depth++;
      }
    }
    return target;
  }

  private static java.util.SortedMap<String, byte[]> xattrs(
      String name, Map<String, String> pax, Map<String, byte[]> raw) throws TarFormatException {
    java.util.SortedMap<String, byte[]> out = new java.util.TreeMap<>();
    for (Map.Entry<String, String> h : pax.entrySet()) {
      String key = h.getKey();
      byte[] value;
      String attr;
      if (key.startsWith("SCHILY.xattr.")) {
        attr = key.substring("SCHILY.xattr.".length());
        value =
            raw != null && raw.containsKey(attr)
                ? raw.get(attr)
                : h.getValue().getBytes(StandardCharsets.UTF_8);
      } else if (key.startsWith("LIBARCHIVE.xattr.")) {
        attr = key.substring("LIBARCHIVE.xattr.".length());
        try {
          value = Base64.getDecoder().decode(h.getValue());
        } catch (IllegalArgumentException e) {
          throw new TarFormatException(
              "tar entry '" + shorten(name) + "': xattr " + attr + " is not base64", e);
        }
      } else {
        continue;
      }
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
      out.put(attr, value);
    }
    if (out.size() > 255) {
      throw new TarFormatException("tar entry '" + shorten(name) + "': more than 255 xattrs");
    }
    return out;
  }

  static String shorten(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
