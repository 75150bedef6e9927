package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Edge: reads a directory tree (never following symlinks) into a {@link SourceNode} tree, with
 * owner, mode, mtime, device numbers, {@code user.*} xattrs of files and directories, and hard
 * links (same device and inode → one node). Regular files stream into objects on the {@link
 * ContentTasks} executor; the caller awaits them.
 */
final class DirectorySource {
  private static final String ATTRS = "unix:mode,uid,gid,ino,dev,nlink,rdev,size,lastModifiedTime";

  private final ContentWriter writer;
  private final ContentTasks tasks;
  private final Map<List<Long>, SourceNode> inodes = new HashMap<>();

  DirectorySource(ContentWriter writer, ContentTasks tasks) {
    this.writer = writer;
    this.tasks = tasks;
  }

  SourceNode read(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new NotDirectoryException(dir.toString());
    }
    return node(dir);
  }

  private SourceNode node(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    EntryKind kind = EntryKind.fromMode(mode);
    long nlink = ((Number) a.get("nlink")).longValue();
    List<Long> inode =
        List.of(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
    if (kind != EntryKind.DIRECTORY && nlink > 1) {
      SourceNode seen = inodes.get(inode);
      if (seen != null) {
        return seen;
      }
    }
    SourceNode n = new SourceNode(kind);
    n.permissions = mode & 07777;
    n.uid = ((Number) a.get("uid")).longValue();
    n.gid = ((Number) a.get("gid")).longValue();
    n.mtimeSeconds = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
    switch (kind) {
      case DIRECTORY -> {
        n.sizeBytes = ((Number) a.get("size")).longValue();
        n.xattrs = xattrs(p);
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
          ds.forEach(children::add);
        }
        for (Path c : children) {
          n.children.put(c.getFileName().toString(), node(c));
        }
      }
      case SYMLINK -> {
        n.symlink = Files.readSymbolicLink(p).toString();
        n.sizeBytes = n.symlink.getBytes(StandardCharsets.UTF_8).length;
      }
      case REGULAR -> {
        long size = ((Number) a.get("size")).longValue();
        n.xattrs = xattrs(p);
        n.sizeBytes = size;
        tasks.submit(
            0,
            () -> {
              try (InputStream in = Files.newInputStream(p)) {
                n.content = writer.write(in, size, p.toString());
              }
            });
      }
      case CHAR_DEVICE, BLOCK_DEVICE -> n.rdev = ((Number) a.get("rdev")).longValue();
      case FIFO, SOCKET -> {}
    }
    if (kind != EntryKind.DIRECTORY && nlink > 1) {
      inodes.put(inode, n);
    }
    return n;
  }

  private static SortedMap<String, byte[]> xattrs(Path p) throws IOException {
    SortedMap<String, byte[]> out = new TreeMap<>();
    UserDefinedFileAttributeView view =
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
    if (view == null) {
      return out;
    }
    List<String> names;
    try {
      names = view.list();
    } catch (IOException | UnsupportedOperationException e) {
      return out; // a file system without user xattrs
    }
    for (String name : names) {
      ByteBuffer buf = ByteBuffer.allocate(view.size(name));
      view.read(name, buf);
      buf.flip();
      byte[] value = new byte[buf.remaining()];
      buf.get(value);
      if (value.length > 255) {
        throw new IOException(
            p
                + ": xattr user."
                + name
                + " has "
                + value.length
                + " bytes, at most 255 fit a catalog");
      }
      out.put("user." + name, value);
    }
    return out;
  }
}
