package io.cvmfsthin.cvmfs.manifest;

import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The signed layout shared by manifest and whitelist (spec §2.2): body lines, {@code --\n}, the hex
 * hash of the body plus algorithm suffix and {@code \n}, then the raw signature to the end.
 *
 * @param body the signed bytes: every body line with its final {@code \n}
 * @param hashLine the hash text as printed (no newline); the signature is over its ASCII bytes
 * @param signature the raw RSA signature
 */
public record SignedDocument(byte[] body, String hashLine, byte[] signature) {

  /** Splits a document at the first {@code \n--\n}. */
  public static SignedDocument parse(String name, byte[] bytes) throws ManifestFormatException {
    int sep = indexOf(bytes, "\n--\n".getBytes(StandardCharsets.US_ASCII));
    if (sep < 0) {
      throw new ManifestFormatException(name + ": no '--' line separates body and signature");
    }
    int bodyEnd = sep + 1;
    int hashStart = sep + 4;
    int hashEnd = hashStart;
    while (hashEnd < bytes.length && bytes[hashEnd] != '\n') {
      hashEnd++;
    }
    if (hashEnd >= bytes.length) {
      throw new ManifestFormatException(name + ": the hash line after '--' is not terminated");
    }
    String hashLine = new String(bytes, hashStart, hashEnd - hashStart, StandardCharsets.US_ASCII);
    return new SignedDocument(
        Arrays.copyOfRange(bytes, 0, bodyEnd),
        hashLine,
        Arrays.copyOfRange(bytes, hashEnd + 1, bytes.length));
  }

  /** The hash line of a body: hex digest plus algorithm suffix. */
  public static String hashLineOf(byte[] body, HashAlgorithm algorithm) {
    return algorithm.hash(body).toString();
  }

  /**
   * Checks that the printed hash is the hash of the body, in the algorithm the printed hash names.
   */
  public void verifyBodyHash(String name) throws TrustException {
    ContentHash printed;
    try {
      printed = ContentHash.parse(hashLine);
    } catch (IllegalArgumentException e) {
      throw new TrustException(name + ": the hash line is no content hash: " + e.getMessage(), e);
    }
    ContentHash actual = printed.algorithm().hash(body);
    if (!actual.equals(printed)) {
      throw new TrustException(
          name
              + ": the body hashes to "
              + actual
              + " but the signed hash line says "
              + printed
              + " (tampered body)");
    }
  }

  /** The ASCII bytes a signature is made over. */
  public byte[] signedBytes() {
    return hashLine.getBytes(StandardCharsets.US_ASCII);
  }

  /** Assembles body + {@code --\n} + hash line + {@code \n} + signature. */
  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64 + signature.length);
    out.writeBytes(body);
    out.writeBytes("--\n".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes((hashLine + "\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(signature);
    return out.toByteArray();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
