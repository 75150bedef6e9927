package io.cvmfsthin.cvmfs.manifest;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Verifies a manifest as the stock client does (spec §1.1 steps 2-7, §3.5): master key → whitelist
 * signature, name and expiry → certificate fingerprint listed and not blacklisted → manifest
 * signature by that certificate → manifest for this repository. The caller has already checked that
 * the certificate object's bytes hash to the manifest's X.
 */
public final class TrustChain {
  private final String fqrn;
  private final List<PublicKey> masterKeys;
  private final Set<ContentHash> blacklist;
  private final Clock clock;

  public TrustChain(
      String fqrn, List<PublicKey> masterKeys, Set<ContentHash> blacklist, Clock clock) {
    if (masterKeys.isEmpty()) {
      throw new IllegalArgumentException("no master public key to verify " + fqrn + " with");
    }
    this.fqrn = fqrn;
    this.masterKeys = List.copyOf(masterKeys);
    this.blacklist = Set.copyOf(blacklist);
    this.clock = clock;
  }

  /** The manifest's signed parts, with the body parsed; checks name and root path only. */
  public SignedManifest parseManifest(byte[] manifestBytes)
      throws ManifestFormatException, TrustException {
    SignedDocument doc = SignedDocument.parse(".cvmfspublished", manifestBytes);
    Manifest m = Manifest.parse(doc.body());
    if (m.fqrn() == null || !m.fqrn().equals(fqrn)) {
      throw new TrustException(
          ".cvmfspublished: signed for repository '" + m.fqrn() + "', expected '" + fqrn + "'");
    }
    if (m.certificate() == null) {
      throw new TrustException(".cvmfspublished: no X line (certificate hash)");
    }
    return new SignedManifest(doc, m);
  }

  /** Verifies everything; returns the manifest once every link holds. */
  public Manifest verify(SignedManifest manifest, byte[] whitelistBytes, byte[] certificatePem)
      throws ManifestFormatException, TrustException {
    manifest.document().verifyBodyHash(".cvmfspublished");
    X509Certificate cert =
        KeyFiles.parseCertificate(
            "certificate " + manifest.manifest().certificate(), certificatePem);
    Whitelist whitelist = verifyWhitelist(whitelistBytes);
    checkListed(cert, whitelist);
    if (!Signatures.verifyManifest(
        cert.getPublicKey(), manifest.document().signedBytes(), manifest.document().signature())) {
      throw new TrustException(
          ".cvmfspublished: signature does not verify with certificate "
              + manifest.manifest().certificate()
              + " (signed by another key or tampered)");
    }
    return manifest.manifest();
  }

  /** Checks the whitelist's master-key signature, name and expiry. */
  public Whitelist verifyWhitelist(byte[] whitelistBytes)
      throws ManifestFormatException, TrustException {
    SignedDocument doc = SignedDocument.parse(".cvmfswhitelist", whitelistBytes);
    Whitelist w = Whitelist.parse(doc.body());
    if (w.pkcs7()) {
      throw new TrustException(".cvmfswhitelist: PKCS#7-signed whitelists are not supported");
    }
    doc.verifyBodyHash(".cvmfswhitelist");
    if (!Signatures.verifyWhitelist(masterKeys, doc.signedBytes(), doc.signature())) {
      throw new TrustException(
          ".cvmfswhitelist: signature does not verify with any of the "
              + masterKeys.size()
              + " trusted master key(s)");
    }
    if (!w.fqrn().equals(fqrn)) {
      throw new TrustException(
          ".cvmfswhitelist: for repository '" + w.fqrn() + "', expected '" + fqrn + "'");
    }
    Instant now = clock.instant();
    if (!w.isValidAt(now)) {
      throw new TrustException(
          ".cvmfswhitelist: expired at " + w.expires() + " (now " + now + "); re-sign it");
    }
    return w;
  }

  private void checkListed(X509Certificate cert, Whitelist whitelist) throws TrustException {
    boolean listed = false;
    for (ContentHash f : whitelist.fingerprints()) {
      ContentHash actual = Signatures.fingerprint(cert, f.algorithm());
      if (blacklist.contains(actual)) {
        throw new TrustException("certificate " + actual.toFingerprint() + " is blacklisted");
      }
      listed |= actual.equals(f);
    }
    if (!listed) {
      throw new TrustException(
          ".cvmfswhitelist: the manifest's certificate is not listed (its SHA-1 fingerprint is "
              + Signatures.fingerprint(cert, io.cvmfsthin.cvmfs.object.HashAlgorithm.SHA1)
                  .toFingerprint()
              + ")");
    }
  }

  /** A parsed, not yet verified manifest with its signed parts. */
  public record SignedManifest(SignedDocument document, Manifest manifest) {}
}
