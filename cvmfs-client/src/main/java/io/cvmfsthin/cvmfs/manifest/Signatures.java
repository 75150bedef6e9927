package io.cvmfsthin.cvmfs.manifest;

import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.List;

/**
 * The two RSA signature schemes of CernVM-FS. Manifests: SHA1withRSA (PKCS#1 v1.5 with DigestInfo)
 * over the ASCII hash line, made with the certificate's key (§2.3). Whitelists: raw PKCS#1 v1.5
 * type-1 padding over the ASCII hash line, no DigestInfo, made with the master key (§3.3).
 */
public final class Signatures {
  private Signatures() {}

  public static byte[] signManifest(PrivateKey certificateKey, byte[] hashLine) {
    return sign("SHA1withRSA", certificateKey, hashLine);
  }

  public static boolean verifyManifest(PublicKey certificateKey, byte[] hashLine, byte[] sig) {
    return verify("SHA1withRSA", certificateKey, hashLine, sig);
  }

  public static byte[] signWhitelist(PrivateKey masterKey, byte[] hashLine) {
    return sign("NONEwithRSA", masterKey, hashLine);
  }

  /** True if any of the master keys verifies the whitelist signature. */
  public static boolean verifyWhitelist(List<PublicKey> masterKeys, byte[] hashLine, byte[] sig) {
    for (PublicKey key : masterKeys) {
      if (key instanceof RSAPublicKey rsa
          && hashLine.length + 11 <= (rsa.getModulus().bitLength() + 7) / 8
          && verify("NONEwithRSA", key, hashLine, sig)) {
        return true;
      }
    }
    return false;
  }

  /** The certificate's fingerprint: hash of its DER encoding, in the given algorithm. */
  public static ContentHash fingerprint(X509Certificate cert, HashAlgorithm algorithm) {
    try {
      return algorithm.hash(cert.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be DER-encoded", e);
    }
  }

  private static byte[] sign(String scheme, PrivateKey key, byte[] data) {
    try {
      Signature s = Signature.getInstance(scheme);
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(scheme + " signing failed: " + e.getMessage(), e);
    }
  }

  private static boolean verify(String scheme, PublicKey key, byte[] data, byte[] sig) {
    try {
      Signature s = Signature.getInstance(scheme);
      s.initVerify(key);
      s.update(data);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature is a failed verification
    }
  }
}
