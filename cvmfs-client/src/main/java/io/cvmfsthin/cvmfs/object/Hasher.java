package io.cvmfsthin.cvmfs.object;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.Xof;

/** An incremental content hash; not thread-safe, one use. */
public final class Hasher {
  private final HashAlgorithm algorithm;
  private final Digest digest;

  Hasher(HashAlgorithm algorithm, Digest digest) {
    this.algorithm = algorithm;
    this.digest = digest;
  }

  public void update(byte[] bytes, int offset, int length) {
    digest.update(bytes, offset, length);
  }

  public void update(byte b) {
    digest.update(b);
  }

  /** Completes the hash; the hasher must not be used afterwards. */
  public ContentHash finish() {
    byte[] out = new byte[HashAlgorithm.DIGEST_BYTES];
    if (digest instanceof Xof xof) {
      xof.doFinal(out, 0, out.length);
    } else {
      digest.doFinal(out, 0);
    }
    return ContentHash.of(algorithm, out);
  }
}
