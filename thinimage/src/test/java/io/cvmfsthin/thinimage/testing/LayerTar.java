package io.cvmfsthin.thinimage.testing;

import io.cvmfsthin.cvmfs.tar.TarHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds a small layer tar in memory, entry by entry, as docker would write it (PAX, 512 B). */
public final class LayerTar {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream tar;
  private static final long MTIME = 1_700_000_000L;

  public LayerTar() {
    tar = new TarArchiveOutputStream(bytes, 512, StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  private TarArchiveEntry entry(String name, byte type, int mode, int uid, int gid) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setMode(mode);
    e.setUserId(uid);
    e.setGroupId(gid);
    e.setUserName("");
    e.setGroupName("");
    e.setModTime(MTIME * 1000);
    return e;
  }

  private LayerTar put(TarArchiveEntry e, byte[] content) {
    try {
      if (content != null) {
        e.setSize(content.length);
      }
      tar.putArchiveEntry(e);
      if (content != null) {
        tar.write(content);
      }
      tar.closeArchiveEntry();
      return this;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  public LayerTar dir(String name) {
    return dir(name, 0755, 0, 0);
  }

  public LayerTar dir(String name, int mode, int uid, int gid) {
    return put(
        entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode, uid, gid), null);
  }

  public LayerTar file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
  }

  public LayerTar file(String name, byte[] content, int mode, int uid, int gid) {
    return put(entry(name, TarConstants.LF_NORMAL, mode, uid, gid), content);
  }

  public LayerTar fileWithXattr(String name, String content, Map<String, String> xattrs) {
    TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, 0755, 0, 0);
    xattrs.forEach((k, v) -> e.addPaxHeader("SCHILY.xattr." + k, v));
    return put(e, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A file (0755) with one xattr whose value is raw bytes, such as a binary {@code
   * security.capability}: a raw PAX record, as GNU tar and Go's archive/tar write it (Commons
   * Compress would write the value as UTF-8 text). A name over 100 bytes goes into the same PAX
   * header.
   */
  public LayerTar fileWithBinaryXattr(String name, String content, String xattr, byte[] value) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    try {
      tar.flush(); // whole 512-byte records so far: ours follow them
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes.writeBytes(
        TarHeaders.encode(
            new TarHeaders.Header(
                name,
                TarHeaders.REGULAR,
                0755,
                0,
                0,
                data.length,
                MTIME,
                null,
                0,
                0,
                Map.of(xattr, value))));
    bytes.writeBytes(data);
    bytes.writeBytes(new byte[TarHeaders.padding(data.length)]);
    return this;
  }

  public LayerTar symlink(String name, String target) {
    TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777, 0, 0);
    e.setLinkName(target);
    return put(e, null);
  }

  public LayerTar hardlink(String name, String target) {
    TarArchiveEntry e = entry(name, TarConstants.LF_LINK, 0644, 0, 0);
    e.setLinkName(target);
    return put(e, null);
  }

  public LayerTar fifo(String name) {
    return put(entry(name, TarConstants.LF_FIFO, 0644, 0, 0), null);
  }

  public LayerTar charDevice(String name, int major, int minor) {
    TarArchiveEntry e = entry(name, TarConstants.LF_CHR, 0666, 0, 0);
    e.setDevMajor(major);
    e.setDevMinor(minor);
    return put(e, null);
  }

  /** An OCI whiteout: {@code dir/.wh.name}, an empty file. */
  public LayerTar whiteout(String dir, String name) {
    return file((dir.isEmpty() ? "" : dir + "/") + ".wh." + name, "");
  }

  /** An OCI opaque marker in {@code dir}. */
  public LayerTar opaque(String dir) {
    return file(dir + "/.wh..wh..opq", "");
  }

  public byte[] bytes() {
    try {
      tar.finish();
      tar.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
