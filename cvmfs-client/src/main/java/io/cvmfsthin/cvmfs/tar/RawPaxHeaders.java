package io.cvmfsthin.cvmfs.tar;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exact xattr values from PAX headers. Commons Compress decodes every PAX value as UTF-8, which
 * corrupts binary values such as {@code security.capability}. This stream sits under the {@code
 * TarArchiveInputStream}, records the raw bytes read while it looks for the next entry (PAX headers
 * included) and parses the {@code SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*} records of that
 * stretch as bytes.
 */
public final class RawPaxHeaders extends FilterInputStream {
  private static final int BLOCK = 512;
  private static final int MAX_RECORDING = 1 << 20;

  private long position;
  private long recordingStart;
  private ByteArrayOutputStream recording;

  public RawPaxHeaders(InputStream in) {
    super(in);
  }

  /** Starts recording; call right before asking for the next entry. */
  public void startRecording() {
    recording = new ByteArrayOutputStream();
    recordingStart = position;
  }

  /**
   * The xattrs of the last PAX header read since {@link #startRecording}, exact bytes; {@code null}
   * when no PAX header was recorded (or it was too large to record).
   */
  public Map<String, byte[]> xattrs() {
    ByteArrayOutputStream recorded = recording;
    recording = null;
    if (recorded == null) {
      return null;
    }
    byte[] bytes = recorded.toByteArray();
    int offset = (int) ((BLOCK - recordingStart % BLOCK) % BLOCK);
    Map<String, byte[]> found = null;
    while (offset + BLOCK <= bytes.length) {
      byte type = bytes[offset + 156];
      long size = octal(bytes, offset + 124, 12);
      if (size < 0 || !checksumOk(bytes, offset)) {
        break;
      }
      int dataStart = offset + BLOCK;
      long dataBlocks = (size + BLOCK - 1) / BLOCK;
      if (type == 'x') {
        if (dataStart + size > bytes.length) {
          break;
        }
        found = parse(bytes, dataStart, (int) size);
      } else if (type != 'L' && type != 'K' && type != 'g') {
        break; // the entry's own header: done
      }
      offset = (int) (dataStart + dataBlocks * BLOCK);
    }
    return found;
  }

  private static Map<String, byte[]> parse(byte[] data, int start, int length) {
    Map<String, byte[]> xattrs = new LinkedHashMap<>();
    int pos = start;
    int end = start + length;
    while (pos < end) {
      int space = pos;
      while (space < end && data[space] != ' ') {
        space++;
      }
      int recordLength;
      try {
        recordLength =
            Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        return xattrs;
      }
      int recordEnd = pos + recordLength;
      if (recordLength <= 0 || recordEnd > end) {
        return xattrs;
      }
      int equals = space + 1;
      while (equals < recordEnd && data[equals] != '=') {
        equals++;
      }
      String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(data, equals + 1, recordEnd - 1);
      if (key.startsWith("SCHILY.xattr.")) {
        xattrs.put(key.substring("SCHILY.xattr.".length()), value);
      } else if (key.startsWith("LIBARCHIVE.xattr.")) {
        String name =
            URLDecoder.decode(key.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
        try {
          xattrs.putIfAbsent(name, Base64.getDecoder().decode(value));
        } catch (IllegalArgumentException e) {
          // not base64: leave it to the caller's string fallback
        }
      }
      pos = recordEnd;
    }
    return xattrs;
  }

  private static boolean checksumOk(byte[] b, int offset) {
    long stored = octal(b, offset + 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (b[offset + i] & 0xff);
    }
    return stored == sum;
  }

  private static long octal(byte[] b, int offset, int length) {
    long value = 0;
    boolean digits = false;
    for (int i = offset; i < offset + length; i++) {
      byte c = b[i];
      if (c == 0 || (c == ' ' && digits)) {
        break;
      }
      if (c == ' ') {
        continue;
      }
      if (c < '0' || c > '7') {
        return -1;
      }
      value = value * 8 + (c - '0');
      digits = true;
    }
    return value;
  }

  private void record(byte[] b, int off, int n) {
    if (recording != null && n > 0) {
      if (recording.size() + n > MAX_RECORDING) {
        recording = null;
      } else {
        recording.write(b, off, n);
      }
    }
  }

  @Override
  public int read() throws IOException {
    int c = super.read();
    if (c >= 0) {
      position++;
      if (recording != null) {
        record(new byte[] {(byte) c}, 0, 1);
      }
    }
    return c;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      position += n;
      record(b, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = super.skip(n);
    if (skipped > 0) {
      position += skipped;
      if (recording != null) {
        // skipped bytes are file data; the headers we want start after them
        recording = new ByteArrayOutputStream();
        recordingStart = position;
      }
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
