package io.cvmfsthin.driver;

import io.cvmfsthin.driver.store.LibcSymlinks;
import io.cvmfsthin.driver.store.LibcXattrs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A tree described file by file with all metadata, for comparing two trees in tests. */
public final class TreeSnapshot {
  private TreeSnapshot() {}

  /**
   * Relative path -> "type mode uid:gid size mtime link rdev xattrs sha256 linkgroup", root
   * excluded. Directory mtimes included; hard links shown by the first name of their inode.
   *
   * @param withDirTimes whether directory mtimes count
   */
  public static Map<String, String> of(Path root, boolean withDirTimes) throws IOException {
    Map<String, String> result = new TreeMap<>();
    Map<Object, String> inodes = new TreeMap<>();
    LibcXattrs xattrs = new LibcXattrs();
    LibcSymlinks symlinks = new LibcSymlinks();
    List<Path> paths;
    try (Stream<Path> s = Files.walk(root)) {
      paths = new ArrayList<>(s.sorted().toList());
    }
    for (Path p : paths) {
      if (p.equals(root)) {
        continue;
      }
      String rel = root.relativize(p).toString();
      Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      int type = mode & 0170000;
      StringBuilder d = new StringBuilder();
      d.append(Integer.toOctalString(mode)).append(' ');
      d.append(a.get("uid")).append(':').append(a.get("gid")).append(' ');
      boolean whiteout = type == 0020000 && (Long) a.get("rdev") == 0L;
      if (type != 0040000) {
        d.append("size=").append(a.get("size")).append(' ');
        FileTime m = (FileTime) a.get("lastModifiedTime");
        if (!whiteout) { // a whiteout's mtime is when it was made, in overlay2 as here
          d.append("mtime=").append(m.toInstant().getEpochSecond()).append(' ');
        }
      } else if (withDirTimes) {
        FileTime m = (FileTime) a.get("lastModifiedTime");
        d.append("mtime=").append(m.toInstant().getEpochSecond()).append(' ');
      }
      if (type == 0120000) {
        d.append("-> ").append(symlinks.read(p)).append(' ');
      }
      if (type == 0020000 || type == 0060000) {
        d.append("rdev=").append(a.get("rdev")).append(' ');
      }
      List<String> names = new ArrayList<>(xattrs.list(p));
      names.sort(null);
      for (String name : names) {
        if (name.startsWith("trusted.overlay.") && !name.equals("trusted.overlay.opaque")) {
          continue; // overlayfs bookkeeping (origin, impure), not layer content
        }
        d.append("x:")
            .append(name)
            .append('=')
            .append(HexFormat.of().formatHex(xattrs.get(p, name).orElseThrow()))
            .append(' ');
      }
      if (type == 0100000) {
        d.append("sha256=").append(sha256(p)).append(' ');
        if ((Integer) a.get("nlink") > 1) {
          String key = a.get("dev") + ":" + a.get("ino");
          String first = inodes.putIfAbsent(key, rel);
          d.append("link=").append(first == null ? rel : first);
        }
      }
      result.put(rel, d.toString().strip());
    }
    return result;
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
