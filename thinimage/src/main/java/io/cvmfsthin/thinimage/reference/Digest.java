package io.cvmfsthin.thinimage.reference;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An OCI content digest, {@code sha256:<64 lowercase hex>}. Only sha256 is accepted: it is what
 * every registry and both manifest formats use, and {@code thin.json} keys are sha256 hex.
 *
 * @param hex the 64 lowercase hex characters
 */
public record Digest(String hex) implements Comparable<Digest> {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final String PREFIX = "sha256:";

  public Digest {
    if (hex == null || !HEX64.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "digest hex " + Shorten.of(hex) + " is not 64 lowercase hex characters");
    }
  }

  /** Parses {@code sha256:<hex>}; throws {@link IllegalArgumentException} naming the value. */
  public static Digest parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("digest missing");
    }
    if (!text.startsWith(PREFIX)) {
      int colon = text.indexOf(':');
      String algorithm = colon < 0 ? "(none)" : text.substring(0, colon);
      throw new IllegalArgumentException(
          "digest " + Shorten.of(text) + ": algorithm " + algorithm + " is not sha256");
    }
    return new Digest(text.substring(PREFIX.length()));
  }

  /** The sha256 digest of {@code bytes}. */
  public static Digest of(byte[] bytes) {
    return new Digest(HexFormat.of().formatHex(newSha256().digest(bytes)));
  }

  /** A fresh SHA-256 {@link MessageDigest}, for hashing a stream. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The digest a finished {@link #newSha256()} computed. */
  public static Digest of(MessageDigest finished) {
    return new Digest(HexFormat.of().formatHex(finished.digest()));
  }

  /** The first two hex characters, the fan-out directory of {@code .layers/<h2>/<hex>}. */
  public String fanOut() {
    return hex.substring(0, 2);
  }

  /** A short form for log lines: {@code sha256:0123456789ab}. */
  public String shortForm() {
    return PREFIX + hex.substring(0, 12);
  }

  @Override
  public int compareTo(Digest o) {
    return hex.compareTo(o.hex);
  }

  @Override
  public String toString() {
    return PREFIX + hex;
  }
}
