package io.cvmfsthin.cvmfs.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /proc/self/mountinfo}, parsed: one {@link Entry} per line, mount points unescaped ({@code
 * \040} and friends). The one parser of the mount table; {@link #read} is its only reader.
 *
 * @param entries in the kernel's order (later mounts later)
 */
public record MountInfo(List<Entry> entries) {
  private static final Path SELF = Path.of("/proc/self/mountinfo");

  /**
   * One mount.
   *
   * @param mountPoint where it is mounted
   * @param fsType e.g. {@code overlay}
   * @param source e.g. {@code overlay}
   * @param device {@code major:minor} of the mounted file system (the third field)
   */
  public record Entry(Path mountPoint, String fsType, String source, String device) {
    /** A mount whose device does not matter (tests, fakes). */
    public Entry(Path mountPoint, String fsType, String source) {
      this(mountPoint, fsType, source, "0:0");
    }
  }

  /** Copies the list. */
  public MountInfo {
    entries = List.copyOf(entries);
  }

  /** The mount table of this process's mount namespace now. */
  public static MountInfo read() throws IOException {
    return parse(Files.readString(SELF, StandardCharsets.UTF_8));
  }

  /**
   * Parses the file's text; lines without the {@code -} separator and its two fields are skipped.
   */
  public static MountInfo parse(String text) {
    List<Entry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] fields = line.split(" ");
      int dash = -1;
      for (int i = 6; i < fields.length; i++) {
        if (fields[i].equals("-")) {
          dash = i;
          break;
        }
      }
      if (fields.length < 5 || dash < 0 || dash + 2 >= fields.length) {
        continue;
      }
      entries.add(
          new Entry(
              Path.of(unescape(fields[4])),
              fields[dash + 1],
              unescape(fields[dash + 2]),
              fields[2]));
    }
    return new MountInfo(entries);
  }

  /** Whether something is mounted exactly at {@code path}. */
  public boolean isMountPoint(Path path) {
    return entries.stream().anyMatch(e -> e.mountPoint().equals(path));
  }

  /** The file system type on top at {@code path} (the last mount listed there), or null. */
  public String typeOf(Path path) {
    String type = null;
    for (Entry e : entries) {
      if (e.mountPoint().equals(path)) {
        type = e.fsType();
      }
    }
    return type;
  }

  /**
   * The device ({@code major:minor}) of the file system on top at {@code path}, or null if nothing
   * is mounted there.
   */
  public String deviceOf(Path path) {
    String device = null;
    for (Entry e : entries) {
      if (e.mountPoint().equals(path)) {
        device = e.device();
      }
    }
    return device;
  }

  /** Mount points strictly below {@code dir}, deepest (latest) first. */
  public List<Path> mountPointsUnder(Path dir) {
    List<Path> found = new ArrayList<>();
    for (int i = entries.size() - 1; i >= 0; i--) {
      Path p = entries.get(i).mountPoint();
      if (p.startsWith(dir) && !p.equals(dir) && !found.contains(p)) {
        found.add(p);
      }
    }
    return found;
  }

  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
