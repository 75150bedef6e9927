package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.manifest.KeyFiles;
import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.manifest.Signatures;
import io.cvmfsthin.cvmfs.manifest.SignedDocument;
import io.cvmfsthin.cvmfs.manifest.Whitelist;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Re-signs a copy of a fixture repository with throwaway keys, so tests can write manifests and
 * whitelists the fixture does not have (older revisions, other certificates, other signers).
 */
final class TestSigner {
  final KeyPair master;
  final KeyPair certificateKey;
  final X509Certificate certificate;
  final ContentHash certificateObject;
  private final Path repo;
  private final String fqrn;

  private TestSigner(Path repo, String fqrn) throws Exception {
    this.repo = repo;
    this.fqrn = fqrn;
    this.master = rsa();
    this.certificateKey = rsa();
    Instant now = Fixtures.CLOCK.instant();
    X500Name name = new X500Name("CN=" + fqrn + " CernVM-FS Release Managers");
    this.certificate =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(365))),
                        name,
                        certificateKey.getPublic())
                    .build(
                        new JcaContentSignerBuilder("SHA256withRSA")
                            .build(certificateKey.getPrivate())));
    byte[] stored = Zlib.compress(KeyFiles.toPem(certificate));
    this.certificateObject = HashAlgorithm.SHA1.hash(stored);
    Path p = repo.resolve(certificateObject.objectPath(ObjectType.CERTIFICATE));
    Files.createDirectories(p.getParent());
    Files.write(p, stored);
  }

  /** Keys and a certificate for the repository copy at {@code repo}; the certificate is stored. */
  static TestSigner forRepo(Path repo, String fqrn) throws Exception {
    return new TestSigner(repo, fqrn);
  }

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  /** Writes the master public key as {@code dir/<fqrn>.pub}. */
  Path writeMasterKey(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path p = dir.resolve(fqrn + ".pub");
    Files.write(p, KeyFiles.toPem(master.getPublic()));
    return p;
  }

  /** A whitelist signed by the master key listing {@code fingerprints}. */
  void writeWhitelist(Instant created, int days, List<ContentHash> fingerprints) throws Exception {
    byte[] body = Whitelist.create(fqrn, created, days, fingerprints).toBody();
    String hashLine = SignedDocument.hashLineOf(body, HashAlgorithm.SHA1);
    byte[] sig =
        Signatures.signWhitelist(master.getPrivate(), hashLine.getBytes(StandardCharsets.US_ASCII));
    Files.write(repo.resolve(".cvmfswhitelist"), new SignedDocument(body, hashLine, sig).toBytes());
  }

  /** The usual whitelist: made a day before the test clock, 30 days, listing our certificate. */
  void writeWhitelist() throws Exception {
    writeWhitelist(
        Fixtures.CLOCK.instant().minus(Duration.ofDays(1)),
        30,
        List.of(Signatures.fingerprint(certificate, HashAlgorithm.SHA1)));
  }

  /** A manifest for {@code root} at {@code revision}, keeping the fixture's history object. */
  Manifest manifest(ContentHash root, long revision, long publishedEpochSeconds) throws Exception {
    Manifest original =
        Manifest.parse(
            SignedDocument.parse(
                    "fixture", Files.readAllBytes(Fixtures.repo(fqrn).resolve(".cvmfspublished")))
                .body());
    return new Manifest(
        root,
        0,
        240,
        revision,
        false,
        false,
        fqrn,
        certificateObject,
        original.history(),
        publishedEpochSeconds,
        null,
        null);
  }

  /** Signs {@code m} with {@code signer} and writes it as {@code .cvmfspublished}. */
  void writeManifest(Manifest m, PrivateKey signer) throws Exception {
    byte[] body = m.toBody();
    String hashLine = SignedDocument.hashLineOf(body, HashAlgorithm.SHA1);
    byte[] sig = Signatures.signManifest(signer, hashLine.getBytes(StandardCharsets.US_ASCII));
    Files.write(repo.resolve(".cvmfspublished"), new SignedDocument(body, hashLine, sig).toBytes());
  }

  void writeManifest(Manifest m) throws Exception {
    writeManifest(m, certificateKey.getPrivate());
  }
}
