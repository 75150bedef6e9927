package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.manifest.KeyFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v1CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Edge: the key files of a repository as {@code cvmfs_server mkfs} makes them (spec §3.4), in a
 * keys directory: {@code <fqrn>.masterkey} and {@code <fqrn>.pub} (master key pair, RSA 2048, the
 * public half PEM SubjectPublicKeyInfo, which clients install), {@code <fqrn>.key} and {@code
 * <fqrn>.crt} (the release manager's key and its self-signed X.509 v1 certificate, 365 days, {@code
 * CN=<fqrn> CernVM-FS Release Managers}). Private keys are written mode 0600.
 *
 * @param masterKey signs the whitelist; may be null when only publishing
 * @param masterPublicKey verifies the whitelist; may be null when only publishing
 * @param certificateKey signs manifests
 * @param certificate listed in the whitelist, stored as the X object
 */
public record RepositoryKeys(
    PrivateKey masterKey,
    PublicKey masterPublicKey,
    PrivateKey certificateKey,
    X509Certificate certificate) {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Fresh keys and certificate for a repository. */
  public static RepositoryKeys generate(String fqrn, Clock clock) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048, RANDOM);
      KeyPair master = gen.generateKeyPair();
      KeyPair cert = gen.generateKeyPair();
      X500Name name = new X500Name("CN=" + commonName(fqrn));
      Instant now = clock.instant();
      byte[] serial = new byte[19];
      RANDOM.nextBytes(serial);
      JcaX509v1CertificateBuilder builder =
          new JcaX509v1CertificateBuilder(
              name,
              new BigInteger(1, serial),
              Date.from(now),
              Date.from(now.plus(Duration.ofDays(365))),
              name,
              cert.getPublic());
      X509Certificate x509 =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withRSA").build(cert.getPrivate())));
      return new RepositoryKeys(master.getPrivate(), master.getPublic(), cert.getPrivate(), x509);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
  }

  /** {@code <fqrn truncated to 30 chars, then [...]> CernVM-FS Release Managers}. */
  static String commonName(String fqrn) {
    String n = fqrn.length() > 30 ? fqrn.substring(0, 30) + "[...]" : fqrn;
    return n + " CernVM-FS Release Managers";
  }

  /** The four file names of a repository's keys, in this keys directory. */
  public static List<Path> files(Path keysDir, String fqrn) {
    return List.of(
        keysDir.resolve(fqrn + ".masterkey"),
        keysDir.resolve(fqrn + ".pub"),
        keysDir.resolve(fqrn + ".key"),
        keysDir.resolve(fqrn + ".crt"));
  }

  /** Whether all four key files exist. */
  static boolean existIn(Path keysDir, String fqrn) {
    return files(keysDir, fqrn).stream().allMatch(Files::isRegularFile);
  }

  /** Whether any of the four key files exists. */
  static boolean anyIn(Path keysDir, String fqrn) {
    return files(keysDir, fqrn).stream().anyMatch(Files::exists);
  }

  /**
   * Writes the four files (each under a temporary name, then renamed); refuses to overwrite.
   * Returns the files written, for undoing.
   */
  List<Path> write(Path keysDir, String fqrn) throws IOException {
    Files.createDirectories(keysDir);
    List<Path> names = files(keysDir, fqrn);
    for (Path p : names) {
      if (Files.exists(p)) {
        throw new FileAlreadyExistsException(p.toString(), null, "key file exists already");
      }
    }
    byte[][] contents = {
      KeyFiles.toPem(masterKey), KeyFiles.toPem(masterPublicKey),
      KeyFiles.toPem(certificateKey), KeyFiles.toPem(certificate)
    };
    List<Path> written = new ArrayList<>();
    try {
      for (int i = 0; i < names.size(); i++) {
        boolean secret = i == 0 || i == 2;
        Path tmp = Files.createTempFile(keysDir, ".key-", ".tmp");
        try {
          Files.setPosixFilePermissions(
              tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
          Files.write(tmp, contents[i]);
          ObjectStore.force(tmp);
          Files.move(tmp, names.get(i), StandardCopyOption.ATOMIC_MOVE);
          written.add(names.get(i));
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    } catch (IOException | RuntimeException e) {
      for (Path p : written) {
        Files.deleteIfExists(p);
      }
      throw e;
    }
    return written;
  }

  /** Reads the keys a publish needs ({@code .key}, {@code .crt}); the master key if present. */
  public static RepositoryKeys load(Path keysDir, String fqrn, boolean needMasterKey)
      throws IOException {
    List<Path> f = files(keysDir, fqrn);
    Path masterFile = f.get(0);
    Path pubFile = f.get(1);
    Path keyFile = f.get(2);
    Path crtFile = f.get(3);
    for (Path p :
        needMasterKey ? List.of(masterFile, keyFile, crtFile) : List.of(keyFile, crtFile)) {
      if (!Files.isRegularFile(p)) {
        throw new NoSuchFileException(
            p.toString(), null, "missing key file for " + fqrn + " in keys directory " + keysDir);
      }
    }
    PrivateKey master =
        Files.isRegularFile(masterFile)
            ? KeyFiles.parsePrivateKey(masterFile.toString(), Files.readAllBytes(masterFile))
            : null;
    PublicKey pub =
        Files.isRegularFile(pubFile)
            ? KeyFiles.parsePublicKey(pubFile.toString(), Files.readAllBytes(pubFile))
            : null;
    return new RepositoryKeys(
        master,
        pub,
        KeyFiles.parsePrivateKey(keyFile.toString(), Files.readAllBytes(keyFile)),
        KeyFiles.parseCertificate(crtFile.toString(), Files.readAllBytes(crtFile)));
  }
}
