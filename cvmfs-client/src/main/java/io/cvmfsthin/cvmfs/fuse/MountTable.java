package io.cvmfsthin.cvmfs.fuse;

import java.util.ArrayList;
import java.util.List;

/** The mount points listed in a {@code /proc/<pid>/mountinfo} text (core). */
public final class MountTable {
  private MountTable() {}

  /** The fifth field of each line, with the kernel's octal escapes ({@code \040}) undone. */
  static List<String> mountPoints(String mountinfo) {
    List<String> out = new ArrayList<>();
    for (String line : mountinfo.split("\n")) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        out.add(unescape(f[4]));
      }
    }
    return out;
  }

  /** The file system type of each mount point, e.g. {@code fuse.cvmfs-thin}. */
  static String typeOf(String mountinfo, String mountPoint) {
    String type = null;
    for (String line : mountinfo.split("\n")) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (f.length > 4 && dash > 0 && dash + 1 < f.length && unescape(f[4]).equals(mountPoint)) {
        type = f[dash + 1]; // the last one listed is on top
      }
    }
    return type;
  }

  /**
   * The device ({@code major:minor}, the third field) of the file system mounted on top at {@code
   * mountPoint}, or null if nothing is mounted there. Read from the table rather than by stat(2): a
   * FUSE daemon that stats its own mount waits for its own answer, and if it is killed meanwhile
   * that wait never ends (the thread keeps the process's descriptors, so the kernel never aborts
   * the connection).
   */
  public static String deviceOf(String mountinfo, String mountPoint) {
    String device = null;
    for (String line : mountinfo.split("\n")) {
      String[] f = line.split(" ");
      if (f.length > 4 && unescape(f[4]).equals(mountPoint)) {
        device = f[2]; // the last one listed is on top
      }
    }
    return device;
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
