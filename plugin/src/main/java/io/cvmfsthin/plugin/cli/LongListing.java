package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One {@code ls -l}-like line per entry: mode, uid, gid, size (or {@code major, minor}), mtime in
 * UTC, name, and {@code -> target} for symlinks. Columns are separated by single spaces.
 */
final class LongListing {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private LongListing() {}

  static String line(DirectoryEntry e, String name) {
    String size =
        e.kind().isDevice()
            ? DeviceNumbers.major(e.rdev()) + ", " + DeviceNumbers.minor(e.rdev())
            : Long.toString(e.sizeBytes());
    String target = e.isSymlink() ? " -> " + e.symlink() : "";
    return mode(e.mode())
        + " "
        + e.uid()
        + " "
        + e.gid()
        + " "
        + size
        + " "
        + TIME.format(Instant.ofEpochSecond(e.mtimeSeconds()))
        + " "
        + name
        + target;
  }

  /** {@code drwxr-xr-x}, {@code -rwsr-xr-x}, {@code crw-r--r--}, ... */
  static String mode(int mode) {
    EntryKind kind = EntryKind.fromMode(mode);
    char[] s = new char[10];
    s[0] = kind == EntryKind.REGULAR ? '-' : kind.letter();
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      s[i + 1] = (mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-';
    }
    special(s, 3, (mode & 04000) != 0, 's');
    special(s, 6, (mode & 02000) != 0, 's');
    special(s, 9, (mode & 01000) != 0, 't');
    return new String(s);
  }

  private static void special(char[] s, int at, boolean set, char letter) {
    if (set) {
      s[at] = s[at] == 'x' ? letter : Character.toUpperCase(letter);
    }
  }
}
