package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What a tar holds, entry by entry: type, mode, owner, size, content hash, link target. Two exports
 * of the same image must give equal listings whatever driver stored it.
 */
public final class TarListing {
  private TarListing() {}

  /** One entry, comparable across tars. */
  public record Entry(
      char type,
      String mode,
      long uid,
      long gid,
      long size,
      String sha256,
      String link,
      String device) {}

  public static Map<String, Entry> read(InputStream tar) throws IOException {
    Map<String, Entry> entries = new TreeMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        String name = e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
        char type;
        String sha = "-";
        if (e.isDirectory()) {
          type = 'd';
        } else if (e.isSymbolicLink()) {
          type = 'l';
        } else if (e.isLink()) {
          type = 'h';
        } else if (e.isFIFO()) {
          type = 'p';
        } else if (e.isCharacterDevice()) {
          type = 'c';
        } else if (e.isBlockDevice()) {
          type = 'b';
        } else {
          type = 'f';
          sha = sha256(in);
        }
        String device =
            e.isCharacterDevice() || e.isBlockDevice()
                ? e.getDevMajor() + "," + e.getDevMinor()
                : "-";
        entries.put(
            name,
            new Entry(
                type,
                Integer.toOctalString(e.getMode() & 07777),
                e.getLongUserId(),
                e.getLongGroupId(),
                type == 'f' ? e.getSize() : 0,
                sha,
                e.isSymbolicLink() || e.isLink() ? e.getLinkName() : "-",
                device));
      }
    }
    return entries;
  }

  private static String sha256(InputStream in) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
