package io.cvmfsthin.cvmfs.catalog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The serialized xattr list of a catalog row (spec §6.7): version 1, entry count, then {@code
 * keyLen, valueLen, key, value} per entry, keys in byte order. Keys are 1-255 bytes without NUL,
 * values at most 255 bytes here (the one-byte length field).
 */
public final class XattrBlob {
  private static final int VERSION = 1;

  private XattrBlob() {}

  /** Encodes; an empty map encodes to {@code null} (the column is NULL). */
  public static byte[] encode(Map<String, byte[]> xattrs) {
    if (xattrs.isEmpty()) {
      return null;
    }
    if (xattrs.size() > 255) {
      throw new IllegalArgumentException("at most 255 xattrs per entry, got " + xattrs.size());
    }
    SortedMap<String, byte[]> sorted = new TreeMap<>(XattrBlob::compareUtf8);
    sorted.putAll(xattrs);
    int size = 2;
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      size += 2 + checkKey(e.getKey()).length + checkValue(e.getKey(), e.getValue()).length;
    }
    byte[] out = new byte[size];
    out[0] = VERSION;
    out[1] = (byte) sorted.size();
    int p = 2;
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] v = e.getValue();
      out[p++] = (byte) k.length;
      out[p++] = (byte) v.length;
      System.arraycopy(k, 0, out, p, k.length);
      p += k.length;
      System.arraycopy(v, 0, out, p, v.length);
      p += v.length;
    }
    return out;
  }

  /** Decodes; {@code null} decodes to an empty map. Malformed blobs are refused. */
  public static SortedMap<String, byte[]> decode(byte[] blob) {
    SortedMap<String, byte[]> out = new TreeMap<>();
    if (blob == null || blob.length == 0) {
      return out;
    }
    if (blob.length < 2 || blob[0] != VERSION) {
      throw new IllegalArgumentException("xattr blob: version " + blob[0] + ", expected 1");
    }
    int n = blob[1] & 0xff;
    int p = 2;
    for (int i = 0; i < n; i++) {
      if (p + 2 > blob.length) {
        throw new IllegalArgumentException("xattr blob truncated at entry " + i);
      }
      int kl = blob[p] & 0xff;
      int vl = blob[p + 1] & 0xff;
      p += 2;
      if (p + kl + vl > blob.length || kl == 0) {
        throw new IllegalArgumentException("xattr blob truncated or empty key at entry " + i);
      }
      String key = new String(blob, p, kl, StandardCharsets.UTF_8);
      out.put(key, Arrays.copyOfRange(blob, p + kl, p + kl + vl));
      p += kl + vl;
    }
    return out;
  }

  private static byte[] checkKey(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    if (k.length == 0 || k.length > 255 || key.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("xattr name must be 1-255 bytes without NUL: " + key);
    }
    return k;
  }

  private static byte[] checkValue(String key, byte[] v) {
    if (v.length > 255) {
      throw new IllegalArgumentException(
          "xattr " + key + ": value of " + v.length + " bytes, at most 255 fit a catalog");
    }
    return v;
  }

  private static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
