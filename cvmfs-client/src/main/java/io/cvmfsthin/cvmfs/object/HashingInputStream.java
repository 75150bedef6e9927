package io.cvmfsthin.cvmfs.object;

import java.io.InputStream;

/** Hashes every byte read through it; {@link #hash()} once the stream is exhausted. */
public final class HashingInputStream extends CountingInputStream {
  private final Hasher hasher;

  public HashingInputStream(InputStream in, HashAlgorithm algorithm) {
    super(in);
    this.hasher = algorithm.newHasher();
  }

  @Override
  protected void consumed(byte[] b, int off, int n) {
    hasher.update(b, off, n);
  }

  /** The hash of all bytes read; call once, after the last read. */
  public ContentHash hash() {
    return hasher.finish();
  }
}
