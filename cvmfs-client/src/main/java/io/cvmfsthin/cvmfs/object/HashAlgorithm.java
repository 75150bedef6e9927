package io.cvmfsthin.cvmfs.object;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.bouncycastle.crypto.digests.SHAKEDigest;

/**
 * The content-hash algorithms of CernVM-FS (spec §4.1). The text form of a hash is the lowercase
 * hex digest followed by {@link #textSuffix()}; catalogs store {@link #flagBits()} in the entry
 * flags. All digests are 20 bytes (SHAKE-128 is squeezed to 160 bits).
 */
public enum HashAlgorithm {
  SHA1("", 1),
  RIPEMD160("-rmd160", 2),
  SHAKE128("-shake128", 3);

  /** Every content digest is 20 bytes long. */
  public static final int DIGEST_BYTES = 20;

  private final String textSuffix;
  private final int cvmfsId;

  HashAlgorithm(String textSuffix, int cvmfsId) {
    this.textSuffix = textSuffix;
    this.cvmfsId = cvmfsId;
  }

  /** "", "-rmd160" or "-shake128": appended to the hex digest in every text form. */
  public String textSuffix() {
    return textSuffix;
  }

  /** The algorithm's bits in a catalog entry's flags: {@code (id - 1) << 8}. */
  public int flagBits() {
    return (cvmfsId - 1) << 8;
  }

  /** The algorithm that catalog entry flags name (bits 8-10). */
  public static HashAlgorithm fromFlags(int flags) {
    int id = ((flags >> 8) & 7) + 1;
    for (HashAlgorithm a : values()) {
      if (a.cvmfsId == id) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown hash algorithm id " + id + " in flags " + flags);
  }

  /** The algorithm whose text suffix this string ends with (after a 40-digit hex prefix). */
  static HashAlgorithm fromTextSuffix(String suffix) {
    for (HashAlgorithm a : values()) {
      if (a.textSuffix.equals(suffix)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown hash algorithm suffix '" + suffix + "'");
  }

  /** The name that {@code CVMFS_HASH_ALGORITHM} uses: sha1, rmd160, shake128. */
  public String configName() {
    return switch (this) {
      case SHA1 -> "sha1";
      case RIPEMD160 -> "rmd160";
      case SHAKE128 -> "shake128";
    };
  }

  /** Parses a {@code CVMFS_HASH_ALGORITHM} value. */
  public static HashAlgorithm fromConfigName(String name) {
    for (HashAlgorithm a : values()) {
      if (a.configName().equalsIgnoreCase(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown hash algorithm '" + name + "' (expected sha1, rmd160 or shake128)");
  }

  /** A fresh incremental hasher. */
  public Hasher newHasher() {
    return new Hasher(this, newDigest());
  }

  /** Hashes a whole byte array. */
  public ContentHash hash(byte[] bytes) {
    Hasher h = newHasher();
    h.update(bytes, 0, bytes.length);
    return h.finish();
  }

  private Digest newDigest() {
    return switch (this) {
      case SHA1 -> new JdkSha1Digest();
      case RIPEMD160 -> new RIPEMD160Digest();
      case SHAKE128 -> new SHAKEDigest(128);
    };
  }
}
