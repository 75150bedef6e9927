package io.cvmfsthin.cvmfs.manifest;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code .cvmfswhitelist} (spec §3.1): creation time, expiry, repository name, the
 * optional PKCS#7 and CA-chain markers, and the fingerprints of the certificates allowed to sign
 * manifests.
 *
 * @param created line 1, creation time (UTC, whole seconds)
 * @param expires line 2; the whitelist is valid strictly before the start of this hour
 * @param fqrn line 3, the repository name
 * @param pkcs7 a {@code Vpkcs7} line was present
 * @param caChain a {@code Wcachain} line was present
 * @param fingerprints certificate fingerprints (hash of the DER certificate)
 */
public record Whitelist(
    Instant created,
    Instant expires,
    String fqrn,
    boolean pkcs7,
    boolean caChain,
    List<ContentHash> fingerprints) {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

  public Whitelist {
    fingerprints = List.copyOf(fingerprints);
  }

  public static Whitelist parse(byte[] body) throws ManifestFormatException {
    String[] lines = new String(body, StandardCharsets.UTF_8).split("\n", -1);
    if (lines.length < 4) {
      throw new ManifestFormatException(".cvmfswhitelist: fewer than 3 header lines");
    }
    if (lines[0].length() != 14) {
      throw new ManifestFormatException(
          ".cvmfswhitelist: line 1 is not a 14-digit timestamp: '" + lines[0] + "'");
    }
    if (lines[1].length() != 15 || lines[1].charAt(0) != 'E') {
      throw new ManifestFormatException(
          ".cvmfswhitelist: line 2 is not 'E' plus a 14-digit expiry: '" + lines[1] + "'");
    }
    if (!lines[2].startsWith("N")) {
      throw new ManifestFormatException(
          ".cvmfswhitelist: line 3 is not 'N' plus the repository name: '" + lines[2] + "'");
    }
    Instant created = stamp(lines[0], "creation time");
    // The client reads the expiry to the hour only (Whitelist::IsBefore).
    Instant expires = stamp(lines[1].substring(1), "expiry").truncatedTo(ChronoUnit.HOURS);
    boolean pkcs7 = false;
    boolean caChain = false;
    List<ContentHash> fingerprints = new ArrayList<>();
    for (int i = 3; i < lines.length; i++) {
      String line = lines[i];
      if (line.equals("--")) {
        break;
      } else if (line.equals("Vpkcs7")) {
        pkcs7 = true;
      } else if (line.equals("Wcachain")) {
        caChain = true;
      } else if (!line.isEmpty()) {
        try {
          fingerprints.add(ContentHash.parseFingerprint(line));
        } catch (IllegalArgumentException ignored) {
          // The stock client skips lines that are no fingerprint; so do we.
        }
      }
    }
    return new Whitelist(created, expires, lines[2].substring(1), pkcs7, caChain, fingerprints);
  }

  /** A new whitelist's body, valid {@code days} from {@code now}. */
  public static Whitelist create(String fqrn, Instant now, int days, List<ContentHash> certs) {
    Instant created = now.truncatedTo(ChronoUnit.SECONDS);
    return new Whitelist(created, created.plus(days, ChronoUnit.DAYS), fqrn, false, false, certs);
  }

  public byte[] toBody() {
    StringBuilder sb = new StringBuilder();
    sb.append(format(created)).append('\n');
    sb.append('E').append(format(expires)).append('\n');
    sb.append('N').append(fqrn).append('\n');
    if (pkcs7) {
      sb.append("Vpkcs7\n");
    }
    if (caChain) {
      sb.append("Wcachain\n");
    }
    for (ContentHash f : fingerprints) {
      sb.append(f.toFingerprint()).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Valid while {@code now} is strictly before the expiry hour. */
  public boolean isValidAt(Instant now) {
    return now.isBefore(expires.truncatedTo(ChronoUnit.HOURS));
  }

  private static String format(Instant t) {
    return STAMP.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
  }

  private static Instant stamp(String digits, String what) throws ManifestFormatException {
    try {
      return LocalDateTime.parse(digits, STAMP).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new ManifestFormatException(
          ".cvmfswhitelist: " + what + " '" + digits + "' is not yyyyMMddHHmmss", e);
    }
  }
}
