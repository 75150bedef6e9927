package io.cvmfsthin.cvmfs.tar;

import java.util.ArrayList;
import java.util.List;

/**
 * Names of tar entries as Docker's own layer extraction treats them, checked before anything
 * touches the disk or a catalog. Docker unpacks a layer inside a chroot whose root is the layer
 * directory, so every name is cleaned as if that directory were {@code /}: {@code /tmp/x}, {@code
 * ../../../tmp/x} and {@code a/../../../tmp/x} all name {@code tmp/x}, and no name can leave the
 * layer. The same holds for hard link targets. A name is returned as {@code a/b/c} ({@code ./}
 * prefixes, repeated and trailing slashes removed); the root itself is the empty string. Only a NUL
 * byte is refused here; writes through symlinks are refused by whoever resolves the parents.
 */
public final class TarPaths {
  private TarPaths() {}

  /**
   * The cleaned relative form of {@code name}, resolved from the layer root as Go's {@code
   * filepath.Join("/", name)} does.
   *
   * @param name the name as found in the tar
   * @param entry the entry's name, for the message
   * @param what "name" or "hard link target", for the message
   * @throws TarFormatException for a missing name or a NUL byte
   */
  public static String normalize(String name, String entry, String what) throws TarFormatException {
    if (name == null || name.indexOf('\0') >= 0) {
      throw new TarFormatException("entry " + quote(entry) + ": NUL byte in " + what);
    }
    return String.join("/", components(name));
  }

  /** The segments of the cleaned name; empty for the root. */
  public static List<String> components(String name) {
    List<String> segments = new ArrayList<>();
    for (String segment : name.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (!segments.isEmpty()) {
          segments.remove(segments.size() - 1);
        }
        continue;
      }
      segments.add(segment);
    }
    return segments;
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
