package io.cvmfsthin.cvmfs.object;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.Digest;

/**
 * SHA-1 from the JDK behind BouncyCastle's {@link Digest} interface. The JDK's implementation uses
 * CPU intrinsics (SHA-NI) and is several times faster than BouncyCastle's pure-Java SHA-1, which
 * matters when every byte of every object is hashed; RIPEMD-160 and SHAKE-128 stay with
 * BouncyCastle (the JDK has neither).
 */
final class JdkSha1Digest implements Digest {
  private final MessageDigest md;

  JdkSha1Digest() {
    try {
      md = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  @Override
  public String getAlgorithmName() {
    return "SHA-1";
  }

  @Override
  public int getDigestSize() {
    return 20;
  }

  @Override
  public void update(byte in) {
    md.update(in);
  }

  @Override
  public void update(byte[] in, int inOff, int len) {
    md.update(in, inOff, len);
  }

  @Override
  public int doFinal(byte[] out, int outOff) {
    byte[] d = md.digest();
    System.arraycopy(d, 0, out, outOff, d.length);
    return d.length;
  }

  @Override
  public void reset() {
    md.reset();
  }
}
