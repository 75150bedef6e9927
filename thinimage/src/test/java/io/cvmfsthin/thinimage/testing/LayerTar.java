package io.cvmfsthin.thinimage.testing;

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
   * security.capability}: a PAX header written by hand, as GNU tar and Go's archive/tar write it
   * (Commons Compress would write the value as UTF-8 text). A name over 100 bytes goes into the
   * same PAX header.
   */
  public LayerTar fileWithBinaryXattr(String name, String content, String xattr, byte[] value) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream pax = new ByteArrayOutputStream();
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length > 100) {
      paxRecord(pax, "path", nameBytes);
    }
    paxRecord(pax, "SCHILY.xattr." + xattr, value);
    try {
      tar.flush(); // whole 512-byte records so far: ours follow them
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes.writeBytes(ustar("PaxHeaders.0/x", pax.size(), 'x', 0644));
    bytes.writeBytes(padded(pax.toByteArray()));
    bytes.writeBytes(ustar(nameBytes.length > 100 ? "long" : name, data.length, '0', 0755));
    bytes.writeBytes(padded(data));
    return this;
  }

  private static void paxRecord(ByteArrayOutputStream out, String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int body = 1 + k.length + 1 + value.length + 1; // " " key "=" value "\n"
    int length = body + String.valueOf(body).length();
    if (String.valueOf(length).length() != String.valueOf(body).length()) {
      length++;
    }
    out.writeBytes((length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(k);
    out.write('=');
    out.writeBytes(value);
    out.write('\n');
  }

  private static byte[] ustar(String name, long size, char type, int mode) {
    byte[] h = new byte[512];
    putAscii(h, 0, name);
    putAscii(h, 100, String.format("%07o", mode));
    putAscii(h, 108, String.format("%07o", 0));
    putAscii(h, 116, String.format("%07o", 0));
    putAscii(h, 124, String.format("%011o", size));
    putAscii(h, 136, String.format("%011o", MTIME));
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = (byte) type;
    putAscii(h, 257, "ustar");
    putAscii(h, 263, "00");
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    putAscii(h, 148, String.format("%06o", sum));
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  private static byte[] padded(byte[] data) {
    return java.util.Arrays.copyOf(data, (data.length + 511) / 512 * 512);
  }

  private static void putAscii(byte[] h, int offset, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, offset, b.length);
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
