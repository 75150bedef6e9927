package io.cvmfsthin.cvmfs.manifest;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The body of {@code .cvmfspublished} (spec §2.1).
 *
 * @param rootCatalog C: hash of the root catalog
 * @param rootCatalogSizeBytes B: size of the uncompressed root catalog
 * @param ttlSeconds D: copy of the root catalog's TTL
 * @param revision S: the root catalog's revision
 * @param garbageCollectable G
 * @param alternativePaths A: objects also at {@code .cvmfsalt-*}
 * @param fqrn N: the repository name
 * @param certificate X: hash of the certificate object
 * @param history H: hash of the tag database, or null
 * @param publishedEpochSeconds T: publish time
 * @param metainfo M: hash of the meta-info object, or null
 * @param reflog Y: hash of {@code .cvmfsreflog}, or null
 */
public record Manifest(
    ContentHash rootCatalog,
    long rootCatalogSizeBytes,
    long ttlSeconds,
    long revision,
    boolean garbageCollectable,
    boolean alternativePaths,
    String fqrn,
    ContentHash certificate,
    ContentHash history,
    long publishedEpochSeconds,
    ContentHash metainfo,
    ContentHash reflog) {

  /** MD5 of the empty root path; every manifest's R line. */
  public static final String ROOT_PATH_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

  /** Parses the body lines (up to a {@code --} line); checks the required keys. */
  public static Manifest parse(byte[] body) throws ManifestFormatException {
    Map<Character, String> kv = new HashMap<>();
    String text = new String(body, StandardCharsets.UTF_8);
    for (String line : text.split("\n", -1)) {
      if (line.equals("--")) {
        break;
      }
      if (!line.isEmpty()) {
        kv.put(line.charAt(0), line.substring(1));
      }
    }
    try {
      String r = require(kv, 'R', "root path hash");
      if (!r.equals(ROOT_PATH_MD5)) {
        throw new ManifestFormatException(
            ".cvmfspublished: R is " + r + ", expected the MD5 of the empty path " + ROOT_PATH_MD5);
      }
      return new Manifest(
          ContentHash.parse(require(kv, 'C', "root catalog hash")),
          number(kv, 'B', 0),
          number(kv, 'D', -1),
          number(kv, 'S', -1),
          "yes".equals(kv.get('G')),
          "yes".equals(kv.get('A')),
          kv.get('N'),
          optionalHash(kv, 'X'),
          optionalHash(kv, 'H'),
          number(kv, 'T', 0),
          optionalHash(kv, 'M'),
          optionalHash(kv, 'Y'));
    } catch (IllegalArgumentException e) {
      throw new ManifestFormatException(".cvmfspublished: " + e.getMessage(), e);
    }
  }

  /** The body as the stock publisher writes it: C B R D S G A, then N X H T M Y if set. */
  public byte[] toBody() {
    StringBuilder sb = new StringBuilder();
    sb.append('C').append(rootCatalog).append('\n');
    sb.append('B').append(rootCatalogSizeBytes).append('\n');
    sb.append('R').append(ROOT_PATH_MD5).append('\n');
    sb.append('D').append(ttlSeconds).append('\n');
    sb.append('S').append(revision).append('\n');
    sb.append('G').append(garbageCollectable ? "yes" : "no").append('\n');
    sb.append('A').append(alternativePaths ? "yes" : "no").append('\n');
    if (fqrn != null) {
      sb.append('N').append(fqrn).append('\n');
    }
    if (certificate != null) {
      sb.append('X').append(certificate).append('\n');
    }
    if (history != null) {
      sb.append('H').append(history).append('\n');
    }
    sb.append('T').append(publishedEpochSeconds).append('\n');
    if (metainfo != null) {
      sb.append('M').append(metainfo).append('\n');
    }
    if (reflog != null) {
      sb.append('Y').append(reflog).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String require(Map<Character, String> kv, char key, String what)
      throws ManifestFormatException {
    String v = kv.get(key);
    if (v == null || v.isEmpty()) {
      throw new ManifestFormatException(".cvmfspublished: no " + key + " line (" + what + ")");
    }
    return v;
  }

  private static long number(Map<Character, String> kv, char key, long absent)
      throws ManifestFormatException {
    String v = kv.get(key);
    if (v == null) {
      if (absent < 0) {
        throw new ManifestFormatException(".cvmfspublished: no " + key + " line");
      }
      return absent;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ManifestFormatException(
          ".cvmfspublished: " + key + " is not a number: '" + v + "'", e);
    }
  }

  private static ContentHash optionalHash(Map<Character, String> kv, char key) {
    String v = kv.get(key);
    return v == null || v.isEmpty() ? null : ContentHash.parse(v);
  }
}
