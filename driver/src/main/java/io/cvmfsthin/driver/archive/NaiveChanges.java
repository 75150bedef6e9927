package io.cvmfsthin.driver.archive;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Docker's generic ("naive") changes between two complete trees, used when a layer is compared with
 * something other than its direct parent: an entry only in the new tree is added (and so is
 * everything below it), an entry only in the old tree is deleted (its children are not listed), an
 * entry in both is modified when its type, mode, owner, device, mtime, size (not for directories)
 * or {@code security.capability} differ.
 */
public final class NaiveChanges {
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;

  private final Xattrs xattrs;

  /** With the xattr port, for capabilities. */
  public NaiveChanges(Xattrs xattrs) {
    this.xattrs = xattrs;
  }

  /**
   * The changes from {@code oldRoot} (null: an empty tree) to {@code newRoot}.
   *
   * @return changes in walk order, paths absolute ({@code /etc/passwd})
   */
  public List<PathChange> changes(Path oldRoot, Path newRoot) throws IOException {
    List<PathChange> changes = new ArrayList<>();
    compare(oldRoot, newRoot, "", changes);
    return changes;
  }

  private void compare(Path oldDir, Path newDir, String rel, List<PathChange> changes)
      throws IOException {
    TreeSet<String> names = new TreeSet<>(list(newDir));
    List<String> oldNames = oldDir == null ? List.of() : list(oldDir);
    for (String old : oldNames) {
      if (!names.contains(old)) {
        changes.add(new PathChange(rel + "/" + old, PathChange.Kind.DELETED));
      }
    }
    for (String name : names) {
      Path n = newDir.resolve(name);
      String childRel = rel + "/" + name;
      Map<String, Object> na = Files.readAttributes(n, "unix:*", LinkOption.NOFOLLOW_LINKS);
      Map<String, Object> oa = null;
      Path o = oldDir == null ? null : oldDir.resolve(name);
      if (o != null) {
        try {
          oa = Files.readAttributes(o, "unix:*", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          oa = null;
        }
      }
      boolean newIsDir = ((Integer) na.get("mode") & S_IFMT) == S_IFDIR;
      if (oa == null) {
        changes.add(new PathChange(childRel, PathChange.Kind.ADDED));
        if (newIsDir) {
          compare(null, n, childRel, changes);
        }
        continue;
      }
      boolean oldIsDir = ((Integer) oa.get("mode") & S_IFMT) == S_IFDIR;
      if (differs(o, oa, n, na, newIsDir)) {
        changes.add(new PathChange(childRel, PathChange.Kind.MODIFIED));
      }
      if (newIsDir) {
        compare(oldIsDir ? o : null, n, childRel, changes);
      }
    }
  }

  private boolean differs(
      Path o, Map<String, Object> oa, Path n, Map<String, Object> na, boolean isDir)
      throws IOException {
    if (!oa.get("mode").equals(na.get("mode"))
        || !oa.get("uid").equals(na.get("uid"))
        || !oa.get("gid").equals(na.get("gid"))
        || !oa.get("rdev").equals(na.get("rdev"))
        || !((FileTime) oa.get("lastModifiedTime")).equals(na.get("lastModifiedTime"))
        || (!isDir && !oa.get("size").equals(na.get("size")))) {
      return true;
    }
    byte[] oc = xattrs.get(o, "security.capability").orElse(null);
    byte[] nc = xattrs.get(n, "security.capability").orElse(null);
    return !Arrays.equals(oc, nc);
  }

  private static List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    names.sort(null);
    return names;
  }
}
