package io.cvmfsthin.thinimage.layer;

import io.cvmfsthin.cvmfs.object.CountingInputStream;
import io.cvmfsthin.thinimage.reference.Digest;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes (sha256) and counts every byte read through it. With an expected size it refuses to read
 * past it, so a lying server cannot make us read without bound; {@link #verify} checks digest and
 * size once the stream is exhausted.
 */
public final class DigestingInputStream extends CountingInputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private final String what;
  private final long expectedSize; // -1: unknown
  private Digest finished;

  /**
   * @param what names the stream in error messages
   * @param expectedSize the size the descriptor promised, or -1
   */
  public DigestingInputStream(InputStream in, String what, long expectedSize) {
    super(
        in,
        expectedSize,
        expectedSize < 0
            ? null
            : limit ->
                new DigestMismatchException(
                    what + ": more than the " + limit + " bytes its descriptor says"));
    this.what = what;
    this.expectedSize = expectedSize;
  }

  @Override
  protected void consumed(byte[] b, int off, int n) {
    sha256.update(b, off, n);
  }

  /** The digest of everything read; call after the end of the stream. */
  public Digest digest() {
    if (finished == null) {
      finished = Digest.of(sha256);
    }
    return finished;
  }

  /** Checks size (if known) and digest of everything read against the expectations. */
  public void verify(Digest expected) throws DigestMismatchException {
    if (expectedSize >= 0 && count() != expectedSize) {
      throw new DigestMismatchException(
          what + ": " + count() + " bytes, its descriptor says " + expectedSize);
    }
    Digest actual = digest();
    if (!actual.equals(expected)) {
      throw new DigestMismatchException(what, expected, actual);
    }
  }
}
