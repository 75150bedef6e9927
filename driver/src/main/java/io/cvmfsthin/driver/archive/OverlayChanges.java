package io.cvmfsthin.driver.archive;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * overlay2's native Changes: walk the upper dir in lexical order; a 0/0 character device or an
 * opaque directory is a deletion of its path; an entry that also exists (following symlinks) in a
 * lower dir is a modification, except a directory whose size, mode and mtime equal the lower one;
 * anything else is an addition; the parent of every addition or deletion is reported as modified
 * once, unless it is {@code /} or already reported.
 */
public final class OverlayChanges {
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFCHR = 0020000;

  private final Xattrs xattrs;

  /** With the xattr port used to see opaque directories. */
  public OverlayChanges(Xattrs xattrs) {
    this.xattrs = xattrs;
  }

  /**
   * The changes of {@code upper} over {@code lowers}.
   *
   * @param lowers lower dirs, top first
   * @param upper the layer's diff dir
   */
  public List<PathChange> changes(List<Path> lowers, Path upper) throws IOException {
    List<PathChange> changes = new ArrayList<>();
    Set<String> changedDirs = new HashSet<>();
    walk(upper, "", lowers, changes, changedDirs);
    return changes;
  }

  private void walk(
      Path dir, String rel, List<Path> lowers, List<PathChange> changes, Set<String> changedDirs)
      throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(children::add);
    }
    children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    for (Path child : children) {
      String childRel = rel + "/" + child.getFileName();
      Map<String, Object> a = Files.readAttributes(child, "unix:*", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      boolean isDir = (mode & S_IFMT) == S_IFDIR;
      PathChange.Kind kind = null;
      boolean skip = false;
      if (deleted(child, mode, (Long) a.get("rdev"))) {
        kind = PathChange.Kind.DELETED;
      } else {
        kind = PathChange.Kind.ADDED;
        for (Path lower : lowers) {
          Map<String, Object> l;
          try {
            l = Files.readAttributes(lower.resolve(childRel.substring(1)), "unix:*");
          } catch (NoSuchFileException e) {
            continue;
          }
          int lowerMode = (Integer) l.get("mode");
          if (isDir && (lowerMode & S_IFMT) == S_IFDIR) {
            if (a.get("size").equals(l.get("size"))
                && mode == lowerMode
                && sameTime(
                    (FileTime) a.get("lastModifiedTime"), (FileTime) l.get("lastModifiedTime"))) {
              skip = true;
            }
          }
          kind = PathChange.Kind.MODIFIED;
          break;
        }
      }
      if (!skip) {
        if (isDir) {
          changedDirs.add(childRel);
        }
        if (kind != PathChange.Kind.MODIFIED) {
          String parent = rel.isEmpty() ? "/" : rel;
          if (!parent.equals("/") && changedDirs.add(parent)) {
            changes.add(new PathChange(parent, PathChange.Kind.MODIFIED));
          }
        }
        changes.add(new PathChange(childRel, kind));
      }
      if (isDir) {
        walk(child, childRel, lowers, changes, changedDirs);
      }
    }
  }

  private boolean deleted(Path path, int mode, long rdev) throws IOException {
    if ((mode & S_IFMT) == S_IFCHR && rdev == 0) {
      return true;
    }
    if ((mode & S_IFMT) == S_IFDIR) {
      return xattrs
          .get(path, Xattrs.OVERLAY_OPAQUE)
          .map(v -> v.length == 1 && v[0] == 'y')
          .orElse(false);
    }
    return false;
  }

  /** Go's sameFsTime: equal, or equal seconds when either side has no nanoseconds. */
  private static boolean sameTime(FileTime a, FileTime b) {
    var x = a.toInstant();
    var y = b.toInstant();
    return x.equals(y)
        || (x.getEpochSecond() == y.getEpochSecond() && (x.getNano() == 0 || y.getNano() == 0));
  }
}
