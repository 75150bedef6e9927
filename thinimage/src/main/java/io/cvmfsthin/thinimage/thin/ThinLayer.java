package io.cvmfsthin.thinimage.thin;

import java.util.regex.Pattern;

/**
 * One real layer of a thin image: its digest and where its unpacked tree lives in CVMFS.
 *
 * @param digest 64 lowercase hex characters, no {@code sha256:} prefix
 * @param url the unpacked layer's directory
 */
public record ThinLayer(String digest, CvmfsUrl url) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  /** Checks the digest; throws {@link IllegalArgumentException} if it is not 64 hex. */
  public ThinLayer {
    if (digest == null || !HEX64.matcher(digest).matches()) {
      throw new IllegalArgumentException(
          "digest " + Shorten.of(digest) + " is not 64 lowercase hex characters");
    }
    if (url == null) {
      throw new IllegalArgumentException("url missing");
    }
  }
}
