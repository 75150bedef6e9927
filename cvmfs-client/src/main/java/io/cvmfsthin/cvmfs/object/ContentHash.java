package io.cvmfsthin.cvmfs.object;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A content hash: algorithm plus 20-byte digest. Its text form ({@link #toString()}) is lowercase
 * hex plus the algorithm's suffix, as manifests, {@code nested_catalogs.sha1} and history tags
 * store it; its object path is {@code data/XX/rest<suffix><type>} (spec §4.3).
 */
public final class ContentHash {
  private static final HexFormat HEX = HexFormat.of();

  private final HashAlgorithm algorithm;
  private final byte[] digest;

  private ContentHash(HashAlgorithm algorithm, byte[] digest) {
    this.algorithm = algorithm;
    this.digest = digest;
  }

  /** A hash from raw digest bytes, as catalogs store them. */
  public static ContentHash of(HashAlgorithm algorithm, byte[] digest) {
    if (digest.length != HashAlgorithm.DIGEST_BYTES) {
      throw new IllegalArgumentException(
          "a " + algorithm + " digest has 20 bytes, got " + digest.length);
    }
    return new ContentHash(algorithm, digest.clone());
  }

  /**
   * Parses the text form: 40 lowercase hex digits, optionally followed by {@code -rmd160} or {@code
   * -shake128}. Uppercase hex is refused, as the stock client would misread it.
   */
  public static ContentHash parse(String text) {
    if (text == null || text.length() < 40) {
      throw new IllegalArgumentException("not a content hash: '" + shorten(text) + "'");
    }
    String hex = text.substring(0, 40);
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException(
            "not a content hash (lowercase hex expected): '" + shorten(text) + "'");
      }
    }
    HashAlgorithm algorithm;
    try {
      algorithm = HashAlgorithm.fromTextSuffix(text.substring(40));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a content hash: '" + shorten(text) + "'", e);
    }
    return new ContentHash(algorithm, HEX.parseHex(hex));
  }

  public HashAlgorithm algorithm() {
    return algorithm;
  }

  /** A copy of the raw digest bytes. */
  public byte[] digest() {
    return digest.clone();
  }

  /** Lowercase hex of the digest, without algorithm suffix. */
  public String hex() {
    return HEX.formatHex(digest);
  }

  /** The object's path below the repository base URL, e.g. {@code data/28/11d5…c0C}. */
  public String objectPath(ObjectType type) {
    String hex = hex();
    return "data/"
        + hex.substring(0, 2)
        + "/"
        + hex.substring(2)
        + algorithm.textSuffix()
        + type.suffix();
  }

  /**
   * OpenSSL-style fingerprint as whitelists list it: uppercase hex pairs joined by ':' and, for
   * non-SHA-1 algorithms, the upper-cased suffix ({@code …:EF-SHAKE128}).
   */
  public String toFingerprint() {
    StringBuilder sb = new StringBuilder();
    String hex = hex().toUpperCase(java.util.Locale.ROOT);
    for (int i = 0; i < hex.length(); i += 2) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(hex, i, i + 2);
    }
    return sb.append(algorithm.textSuffix().toUpperCase(java.util.Locale.ROOT)).toString();
  }

  /**
   * Parses a whitelist fingerprint line: stops at the first space, tab or '#', drops ':' and
   * lowercases. Throws {@link IllegalArgumentException} for lines that are no fingerprint.
   */
  public static ContentHash parseFingerprint(String line) {
    int end = line.length();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t' || c == '#') {
        end = i;
        break;
      }
    }
    String compact = line.substring(0, end).replace(":", "").toLowerCase(java.util.Locale.ROOT);
    return parse(compact);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContentHash other
        && other.algorithm == algorithm
        && Arrays.equals(other.digest, digest);
  }

  @Override
  public int hashCode() {
    return 31 * algorithm.hashCode() + Arrays.hashCode(digest);
  }

  /** The text form: hex plus algorithm suffix, no object-type suffix. */
  @Override
  public String toString() {
    return hex() + algorithm.textSuffix();
  }

  static String shorten(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
