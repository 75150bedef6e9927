package io.cvmfsthin.cvmfs.object;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Hashes every byte read through it; {@link #hash()} once the stream is exhausted. */
public final class HashingInputStream extends FilterInputStream {
  private final Hasher hasher;
  private long count;

  public HashingInputStream(InputStream in, HashAlgorithm algorithm) {
    super(in);
    this.hasher = algorithm.newHasher();
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      hasher.update((byte) b);
      count++;
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n > 0) {
      hasher.update(buf, off, n);
      count += n;
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

  /** The hash of all bytes read; call once, after the last read. */
  public ContentHash hash() {
    return hasher.finish();
  }
}
