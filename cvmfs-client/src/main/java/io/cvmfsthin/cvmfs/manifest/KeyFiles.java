package io.cvmfsthin.cvmfs.manifest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * PEM files as {@code cvmfs_server} writes them: {@code <fqrn>.pub} (SubjectPublicKeyInfo), {@code
 * .masterkey} and {@code .key} (PKCS#1 or PKCS#8), {@code .crt} (X.509). Parsing of bytes is pure;
 * the directory scan reads files.
 */
public final class KeyFiles {
  private KeyFiles() {}

  public static PublicKey parsePublicKey(String source, byte[] pem) throws ManifestFormatException {
    Object o = readPem(source, pem);
    try {
      if (o instanceof SubjectPublicKeyInfo spki) {
        return new JcaPEMKeyConverter().getPublicKey(spki);
      }
      if (o instanceof X509Certificate
          || o instanceof org.bouncycastle.cert.X509CertificateHolder) {
        return parseCertificate(source, pem).getPublicKey();
      }
    } catch (IOException e) {
      throw new ManifestFormatException(source + ": not a public key: " + e.getMessage(), e);
    }
    throw new ManifestFormatException(
        source + ": expected a PEM 'PUBLIC KEY', found " + describe(o));
  }

  public static PrivateKey parsePrivateKey(String source, byte[] pem)
      throws ManifestFormatException {
    Object o = readPem(source, pem);
    try {
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return conv.getKeyPair(pair).getPrivate();
      }
      if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
    } catch (IOException e) {
      throw new ManifestFormatException(source + ": not a private key: " + e.getMessage(), e);
    }
    throw new ManifestFormatException(
        source + ": expected a PEM private key, found " + describe(o));
  }

  public static X509Certificate parseCertificate(String source, byte[] pem)
      throws ManifestFormatException {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(pem));
    } catch (CertificateException | ClassCastException e) {
      throw new ManifestFormatException(
          source + ": not an X.509 certificate: " + e.getMessage(), e);
    }
  }

  /** PEM text of a key or certificate. */
  public static byte[] toPem(Object keyOrCertificate) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(keyOrCertificate instanceof KeyPair kp ? kp.getPrivate() : keyOrCertificate);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory PEM writing failed", e);
    }
    return w.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The master keys a client trusts: a {@code .pub} file, or every {@code *.pub} in a directory
   * (not recursive), like {@code CVMFS_PUBLIC_KEY} and {@code CVMFS_KEYS_DIR}.
   */
  public static List<PublicKey> loadPublicKeys(Path fileOrDir) throws IOException {
    List<PublicKey> keys = new ArrayList<>();
    if (Files.isDirectory(fileOrDir)) {
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(fileOrDir, "*.pub")) {
        ds.forEach(files::add);
      }
      files.sort(null);
      for (Path p : files) {
        keys.add(parsePublicKey(p.toString(), Files.readAllBytes(p)));
      }
      if (keys.isEmpty()) {
        throw new ManifestFormatException(fileOrDir + ": no *.pub key in this directory");
      }
    } else {
      keys.add(parsePublicKey(fileOrDir.toString(), Files.readAllBytes(fileOrDir)));
    }
    return keys;
  }

  private static Object readPem(String source, byte[] pem) throws ManifestFormatException {
    try (PEMParser parser =
        new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      Object o = parser.readObject();
      if (o == null) {
        throw new ManifestFormatException(source + ": no PEM object found");
      }
      return o;
    } catch (IOException e) {
      throw new ManifestFormatException(source + ": unreadable PEM: " + e.getMessage(), e);
    }
  }

  private static String describe(Object o) {
    return o == null ? "nothing" : o.getClass().getSimpleName();
  }
}
