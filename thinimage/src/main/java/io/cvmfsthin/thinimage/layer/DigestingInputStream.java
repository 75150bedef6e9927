package io.cvmfsthin.thinimage.layer;

import io.cvmfsthin.thinimage.reference.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes (sha256) and counts every byte read through it. With an expected size it refuses to read
 * past it, so a lying server cannot make us read without bound; {@link #verify} checks digest and
 * size once the stream is exhausted.
 */
public final class DigestingInputStream extends FilterInputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private final String what;
  private final long expectedSize; // -1: unknown
  private long count;
  private Digest finished;

  /**
   * @param what names the stream in error messages
   * @param expectedSize the size the descriptor promised, or -1
   */
  public DigestingInputStream(InputStream in, String what, long expectedSize) {
    super(in);
    this.what = what;
    this.expectedSize = expectedSize;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n > 0) {
      sha256.update(buf, off, n);
      count += n;
      if (expectedSize >= 0 && count > expectedSize) {
        throw new DigestMismatchException(
            what + ": more than the " + expectedSize + " bytes its descriptor says");
      }
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Bytes read so far. */
  public long count() {
    return count;
  }

  /** Reads what is left (to verify the whole), returns how many bytes that was. */
  public long drain() throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    for (int r; (r = read(buf, 0, buf.length)) >= 0; ) {
      n += r;
    }
    return n;
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
    if (expectedSize >= 0 && count != expectedSize) {
      throw new DigestMismatchException(
          what + ": " + count + " bytes, its descriptor says " + expectedSize);
    }
    Digest actual = digest();
    if (!actual.equals(expected)) {
      throw new DigestMismatchException(what, expected, actual);
    }
  }
}
