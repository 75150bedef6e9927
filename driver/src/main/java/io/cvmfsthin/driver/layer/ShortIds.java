package io.cvmfsthin.driver.layer;

import java.util.random.RandomGenerator;

/**
 * overlay2's short layer names: 26 characters of base32 ({@code A-Z2-7}) from 16 random bytes, so
 * that 128 relative lower dirs {@code l/<short>} fit in the one-page mount data.
 */
public final class ShortIds {
  /** Length of a short id. */
  public static final int LENGTH = 26;

  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private ShortIds() {}

  /** A new random short id. */
  public static String random(RandomGenerator random) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    StringBuilder out = new StringBuilder(LENGTH);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET[(buffer >> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    }
    return out.toString();
  }

  /** Whether {@code s} looks like a short id. */
  public static boolean isShortId(String s) {
    if (s.length() != LENGTH) {
      return false;
    }
    for (char c : s.toCharArray()) {
      if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) {
        return false;
      }
    }
    return true;
  }
}
