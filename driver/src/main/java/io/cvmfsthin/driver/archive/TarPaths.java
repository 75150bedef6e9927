package io.cvmfsthin.driver.archive;

import java.util.ArrayList;
import java.util.List;

/**
 * Names of tar entries, checked before anything touches the disk: relative, no {@code ..}, no NUL.
 * A name is normalised to {@code a/b/c} ({@code ./} prefixes, repeated and trailing slashes
 * removed); the root itself normalises to the empty string.
 */
public final class TarPaths {
  private TarPaths() {}

  /**
   * The normalised relative form of {@code name}.
   *
   * @param name the name as found in the tar
   * @param entry the entry's name, for the message
   * @param what "name" or "link target", for the message
   * @throws TarFormatException for absolute names, {@code ..} segments or NUL bytes
   */
  public static String normalize(String name, String entry, String what) throws TarFormatException {
    if (name == null || name.indexOf('\0') >= 0) {
      throw new TarFormatException("entry " + quote(entry) + ": NUL byte in " + what);
    }
    if (name.startsWith("/")) {
      throw new TarFormatException(
          "entry " + quote(entry) + ": absolute " + what + " " + quote(name) + " refused");
    }
    List<String> segments = new ArrayList<>();
    for (String segment : name.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        throw new TarFormatException(
            "entry " + quote(entry) + ": " + what + " " + quote(name) + " contains '..'");
      }
      segments.add(segment);
    }
    return String.join("/", segments);
  }

  /** The last segment of a normalised, non-empty name. */
  public static String baseName(String normalized) {
    return normalized.substring(normalized.lastIndexOf('/') + 1);
  }

  /** The parent of a normalised name, "" for a top-level name. */
  public static String parent(String normalized) {
    int slash = normalized.lastIndexOf('/');
    return slash < 0 ? "" : normalized.substring(0, slash);
  }

  /** A name shortened for messages. */
  public static String quote(String name) {
    if (name == null) {
      return "(none)";
    }
    String shown = name.length() <= 120 ? name : name.substring(0, 117) + "...";
    return "\"" + shown.replace("\0", "\\0") + "\"";
  }
}
