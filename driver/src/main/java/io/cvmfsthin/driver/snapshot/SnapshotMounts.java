package io.cvmfsthin.driver.snapshot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The mounts of an active snapshot or a view, exactly as containerd's overlayfs snapshotter returns
 * them: with no lower dir a bind mount of its own {@code fs} (rw for active, ro for a view); a view
 * with one lower dir a read-only bind mount of it; otherwise one overlay mount with the lower dirs
 * newest first, and for an active snapshot its {@code fs} as upperdir and {@code work} as workdir.
 * Pure: paths in, mounts out.
 */
final class SnapshotMounts {
  private SnapshotMounts() {}

  /**
   * @param lowerDirs the parents' content directories, newest first (a thin or remote parent
   *     contributes its CVMFS layer directories)
   * @param indexOff whether to add {@code index=off}, as containerd does where the kernel's overlay
   *     has the index feature
   */
  static List<SnapshotMount> of(
      Kind kind, Path fs, Path work, List<Path> lowerDirs, boolean indexOff) {
    if (kind == Kind.COMMITTED) {
      throw new IllegalStateException("a committed snapshot has no mounts");
    }
    if (lowerDirs.isEmpty()) {
      return List.of(
          new SnapshotMount(
              "bind", fs.toString(), List.of(kind == Kind.VIEW ? "ro" : "rw", "rbind")));
    }
    List<String> options = new ArrayList<>();
    if (indexOff) {
      options.add("index=off");
    }
    if (kind == Kind.ACTIVE) {
      options.add("workdir=" + work);
      options.add("upperdir=" + fs);
    } else if (lowerDirs.size() == 1) {
      return List.of(
          new SnapshotMount("bind", lowerDirs.get(0).toString(), List.of("ro", "rbind")));
    }
    options.add(
        "lowerdir=" + lowerDirs.stream().map(Path::toString).collect(Collectors.joining(":")));
    return List.of(new SnapshotMount("overlay", "overlay", options));
  }
}
