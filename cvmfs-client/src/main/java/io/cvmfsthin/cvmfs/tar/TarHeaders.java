package io.cvmfsthin.cvmfs.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes tar headers: ustar, plus one PAX extended header when a name or link target is long or not
 * ASCII, a number does not fit, or xattrs are present (their values as exact bytes: Commons
 * Compress would write them as UTF-8 text, which corrupts binary values such as {@code
 * security.capability}). Owners are numeric and times whole seconds, as Docker's layer tars are.
 * The data of an entry follows its header, padded with {@link #padding}; an archive ends with
 * {@link #END}.
 */
public final class TarHeaders {
  public static final int BLOCK = 512;
  public static final byte REGULAR = '0';
  public static final byte HARDLINK = '1';
  public static final byte SYMLINK = '2';
  public static final byte CHAR = '3';
  public static final byte BLOCKDEV = '4';
  public static final byte DIRECTORY = '5';
  public static final byte FIFO = '6';

  /** The end-of-archive marker: two zero blocks. */
  public static final int END = 2 * BLOCK;

  private static final long MAX_OCTAL_8 = 07777777L;
  private static final long MAX_OCTAL_12 = 077777777777L;

  private TarHeaders() {}

  /**
   * A header to write: name relative (directories end with '/').
   *
   * @param mode permission bits (the type is {@code type})
   * @param linkName target of a hard or symbolic link, else null
   * @param xattrs names and exact values, or null
   */
  public record Header(
      String name,
      byte type,
      int mode,
      long uid,
      long gid,
      long size,
      long mtimeSeconds,
      String linkName,
      int devMajor,
      int devMinor,
      Map<String, byte[]> xattrs) {}

  /** The header blocks (PAX header first when needed). */
  public static byte[] encode(Header h) {
    ByteArrayOutputStream pax = new ByteArrayOutputStream();
    byte[] name = h.name().getBytes(StandardCharsets.UTF_8);
    byte[] link =
        h.linkName() == null ? new byte[0] : h.linkName().getBytes(StandardCharsets.UTF_8);
    if (name.length > 100 || !ascii(h.name())) {
      record(pax, "path", name);
    }
    if (link.length > 100 || (h.linkName() != null && !ascii(h.linkName()))) {
      record(pax, "linkpath", link);
    }
    if (h.size() > MAX_OCTAL_12) {
      record(pax, "size", Long.toString(h.size()).getBytes(StandardCharsets.US_ASCII));
    }
    if (h.uid() > MAX_OCTAL_8) {
      record(pax, "uid", Long.toString(h.uid()).getBytes(StandardCharsets.US_ASCII));
    }
    if (h.gid() > MAX_OCTAL_8) {
      record(pax, "gid", Long.toString(h.gid()).getBytes(StandardCharsets.US_ASCII));
    }
    if (h.mtimeSeconds() < 0 || h.mtimeSeconds() > MAX_OCTAL_12) {
      record(pax, "mtime", Long.toString(h.mtimeSeconds()).getBytes(StandardCharsets.US_ASCII));
    }
    if (h.devMajor() > MAX_OCTAL_8) {
      record(
          pax,
          "SCHILY.devmajor",
          Integer.toString(h.devMajor()).getBytes(StandardCharsets.US_ASCII));
    }
    if (h.devMinor() > MAX_OCTAL_8) {
      record(
          pax,
          "SCHILY.devminor",
          Integer.toString(h.devMinor()).getBytes(StandardCharsets.US_ASCII));
    }
    if (h.xattrs() != null) {
      for (Map.Entry<String, byte[]> x : h.xattrs().entrySet()) {
        record(pax, "SCHILY.xattr." + x.getKey(), x.getValue());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(BLOCK * 2);
    if (pax.size() > 0) {
      byte[] data = pax.toByteArray();
      String paxName = "PaxHeaders.0/" + tail(h.name(), 80);
      out.writeBytes(
          block(
              paxName,
              (byte) 'x',
              0644,
              0,
              0,
              data.length,
              Math.max(0, h.mtimeSeconds()),
              "",
              0,
              0));
      out.writeBytes(data);
      out.writeBytes(new byte[padding(data.length)]);
    }
    out.writeBytes(
        block(
            h.name(),
            h.type(),
            h.mode(),
            Math.min(h.uid(), MAX_OCTAL_8),
            Math.min(h.gid(), MAX_OCTAL_8),
            Math.min(h.size(), MAX_OCTAL_12),
            Math.max(0, Math.min(h.mtimeSeconds(), MAX_OCTAL_12)),
            h.linkName() == null ? "" : h.linkName(),
            (int) Math.min(h.devMajor(), MAX_OCTAL_8),
            (int) Math.min(h.devMinor(), MAX_OCTAL_8)));
    return out.toByteArray();
  }

  /** Bytes of zero padding after {@code size} bytes of data. */
  public static int padding(long size) {
    return (int) ((BLOCK - size % BLOCK) % BLOCK);
  }

  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80 || s.charAt(i) == 0) {
        return false;
      }
    }
    return true;
  }

  private static String tail(String name, int max) {
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    String base = trimmed.substring(trimmed.lastIndexOf('/') + 1);
    StringBuilder ascii = new StringBuilder();
    for (char c : base.toCharArray()) {
      ascii.append(c < 0x80 && c > 0 ? c : '_');
    }
    return ascii.length() <= max ? ascii.toString() : ascii.substring(0, max);
  }

  private static void record(ByteArrayOutputStream out, String key, byte[] value) {
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    int rest = 1 + keyBytes.length + 1 + value.length + 1; // ' ' key '=' value '\n'
    int length = rest + Integer.toString(rest).length();
    if (Integer.toString(length).length() != Integer.toString(rest).length()) {
      length = rest + Integer.toString(length).length();
    }
    out.writeBytes(Integer.toString(length).getBytes(StandardCharsets.US_ASCII));
    out.write(' ');
    out.writeBytes(keyBytes);
    out.write('=');
    out.writeBytes(value);
    out.write('\n');
  }

  private static byte[] block(
      String name,
      byte type,
      int mode,
      long uid,
      long gid,
      long size,
      long mtime,
      String link,
      int major,
      int minor) {
    byte[] b = new byte[BLOCK];
    put(b, 0, 100, truncate(name, 100));
    octal(b, 100, 8, mode & 07777);
    octal(b, 108, 8, uid);
    octal(b, 116, 8, gid);
    octal(b, 124, 12, size);
    octal(b, 136, 12, mtime);
    b[156] = type;
    put(b, 157, 100, truncate(link, 100));
    put(b, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(b, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    if (type == CHAR || type == BLOCKDEV) {
      octal(b, 329, 8, major);
      octal(b, 337, 8, minor);
    }
    java.util.Arrays.fill(b, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte x : b) {
      sum += x & 0xff;
    }
    octal(b, 148, 7, sum);
    b[155] = ' ';
    return b;
  }

  private static byte[] truncate(String s, int max) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= max ? bytes : java.util.Arrays.copyOf(bytes, max);
  }

  private static void put(byte[] b, int offset, int length, byte[] value) {
    System.arraycopy(value, 0, b, offset, Math.min(length, value.length));
  }

  private static void octal(byte[] b, int offset, int length, long value) {
    String digits = Long.toOctalString(value);
    int width = length - 1;
    StringBuilder s = new StringBuilder();
    for (int i = digits.length(); i < width; i++) {
      s.append('0');
    }
    s.append(digits);
    byte[] bytes = s.toString().getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, b, offset, width);
    b[offset + width] = 0;
  }
}
