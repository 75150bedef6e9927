package io.cvmfsthin.cvmfs.object;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The one byte-counting stream of the project: counts what is read through it, refuses to read past
 * an optional limit, and lets a subclass see every byte (hashing) and the end of the stream (length
 * checks). Reads only through {@code read(byte[], int, int)}; skip reads, so nothing is ever missed
 * by a subclass; no mark.
 */
public class CountingInputStream extends FilterInputStream {
  /** Makes the failure for a stream that went past its limit. */
  @FunctionalInterface
  public interface OverLimit {
    IOException failure(long limit);
  }

  private final long limit; // -1: none
  private final OverLimit overLimit;
  private final byte[] one = new byte[1]; // read() without an allocation per byte
  private long count;

  /** Counts only. */
  public CountingInputStream(InputStream in) {
    this(in, -1, null);
  }

  /**
   * Counts, and fails with {@code overLimit}'s exception as soon as more than {@code limit} bytes
   * were read ({@code limit} -1: none).
   */
  public CountingInputStream(InputStream in, long limit, OverLimit overLimit) {
    super(in);
    if (limit >= 0 && overLimit == null) {
      throw new IllegalArgumentException("a limit needs its failure");
    }
    this.limit = limit;
    this.overLimit = overLimit;
  }

  @Override
  public final int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public final int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      count += n;
      if (limit >= 0 && count > limit) {
        throw overLimit.failure(limit);
      }
      consumed(b, off, n);
    } else if (n < 0) {
      ended(count);
    }
    return n;
  }

  @Override
  public final long skip(long n) throws IOException {
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
  public final boolean markSupported() {
    return false;
  }

  /** Bytes read so far. */
  public final long count() {
    return count;
  }

  /** Reads what is left; returns how many bytes that was. */
  public final long drain() throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    for (int r; (r = read(buf, 0, buf.length)) >= 0; ) {
      n += r;
    }
    return n;
  }

  /** Sees every byte read, in order, once counted and within the limit. */
  protected void consumed(byte[] b, int off, int n) {}

  /**
   * Told each time the underlying stream reports its end, with the bytes read in all.
   *
   * @throws IOException to fail that read instead (a body shorter than promised)
   */
  protected void ended(long total) throws IOException {}
}
