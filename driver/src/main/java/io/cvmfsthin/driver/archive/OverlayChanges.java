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
 * Changes as dockerd 20.10 with overlay2 reports them (checked against {@code docker diff} by
 * Overlay2ParityIT): walk the upper dir in lexical order; a 0/0 character device is a deletion of
 * its path; an entry that also exists (following symlinks) in a lower dir is a modification, except
 * a directory whose size, mode and mtime equal the lower one; anything else is an addition; an
 * opaque directory is a modification (or addition) and every entry the lower stack showed in it and
 * the upper no longer has is a deletion; the parent of every addition or deletion is reported as
 * modified once, unless it is {@code /} or already reported.
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
      boolean opaque = isDir && opaque(child);
      if (!isDir && whiteout(mode, (Long) a.get("rdev"))) {
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
      if (opaque) {
        for (String hidden : visibleInLowers(lowers, childRel)) {
          if (!Files.exists(child.resolve(hidden), LinkOption.NOFOLLOW_LINKS)) {
            if (changedDirs.add(childRel)) {
              changes.add(new PathChange(childRel, PathChange.Kind.MODIFIED));
            }
            changes.add(new PathChange(childRel + "/" + hidden, PathChange.Kind.DELETED));
          }
        }
      }
      if (isDir) {
        walk(child, childRel, lowers, changes, changedDirs);
      }
    }
  }

  private static boolean whiteout(int mode, long rdev) {
    return (mode & S_IFMT) == S_IFCHR && rdev == 0;
  }

  private boolean opaque(Path dir) throws IOException {
    return xattrs
        .get(dir, Xattrs.OVERLAY_OPAQUE)
        .map(v -> v.length == 1 && v[0] == 'y')
        .orElse(false);
  }

  /** Names visible in the lower stack's view of directory {@code rel} (whiteouts applied). */
  private List<String> visibleInLowers(List<Path> lowers, String rel) throws IOException {
    Set<String> seen = new HashSet<>();
    List<String> visible = new ArrayList<>();
    for (Path lower : lowers) {
      Path dir = lower.resolve(rel.substring(1));
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
          break; // a file or whiteout hides everything below
        }
        continue;
      }
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
        for (Path p : s) {
          String name = p.getFileName().toString();
          if (seen.add(name)) {
            Map<String, Object> a =
                Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
            if (!whiteout((Integer) a.get("mode"), (Long) a.get("rdev"))) {
              visible.add(name);
            }
          }
        }
      }
      if (opaque(dir)) {
        break;
      }
    }
    visible.sort(null);
    return visible;
  }

  /** Go's sameFsTime: equal, or equal seconds when either side has no nanoseconds. */
  private static boolean sameTime(FileTime a, FileTime b) {
    var x = a.toInstant();
    var y = b.toInstant();
    return x.equals(y)
        || (x.getEpochSecond() == y.getEpochSecond() && (x.getNano() == 0 || y.getNano() == 0));
  }
}
