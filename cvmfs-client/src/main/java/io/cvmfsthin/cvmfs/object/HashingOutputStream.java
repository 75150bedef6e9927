package io.cvmfsthin.cvmfs.object;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Hashes every byte written through it; {@link #hash()} after the last write. */
public final class HashingOutputStream extends FilterOutputStream {
  private final Hasher hasher;
  private long count;

  public HashingOutputStream(OutputStream out, HashAlgorithm algorithm) {
    super(out);
    this.hasher = algorithm.newHasher();
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    hasher.update((byte) b);
    count++;
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    out.write(buf, off, len);
    hasher.update(buf, off, len);
    count += len;
  }

  /** Bytes written so far. */
  public long count() {
    return count;
  }

  /** The hash of all bytes written; call once. */
  public ContentHash hash() {
    return hasher.finish();
  }
}
