package io.cvmfsthin.cvmfs.fetch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses {@code CVMFS_SERVER_URL} (spec §10.4). */
public final class ServerList {
  private ServerList() {}

  /**
   * The base URLs of {@code value}: split at {@code ;}, blanks dropped, {@code @fqrn@} replaced by
   * the repository name and {@code @org@} by its first label, trailing {@code /} removed. Only
   * {@code http://}, {@code https://} and {@code file://} URLs are accepted.
   */
  public static List<String> parse(String value, String fqrn) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("CVMFS_SERVER_URL is empty: no server to fetch from");
    }
    String org = fqrn.contains(".") ? fqrn.substring(0, fqrn.indexOf('.')) : fqrn;
    List<String> out = new ArrayList<>();
    for (String part : value.split(";")) {
      String url = part.trim().replace("@fqrn@", fqrn).replace("@org@", org);
      while (url.endsWith("/")) {
        url = url.substring(0, url.length() - 1);
      }
      if (url.isEmpty()) {
        continue;
      }
      String lower = url.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("http://")
          && !lower.startsWith("https://")
          && !lower.startsWith("file:/")) {
        throw new IllegalArgumentException(
            "CVMFS_SERVER_URL: '" + url + "' is no http://, https:// or file:// URL");
      }
      out.add(url);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("CVMFS_SERVER_URL '" + value + "' names no server");
    }
    return List.copyOf(out);
  }
}
