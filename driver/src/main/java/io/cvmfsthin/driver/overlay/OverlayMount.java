package io.cvmfsthin.driver.overlay;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One overlay mount as overlay2 makes it (spec §10.2), with every directory relative to {@code
 * home}, where the mount is made from: {@code
 * lowerdir=l/A:l/B,upperdir=<id>/diff,workdir=<id>/work}. A read-only mount (no upper) has only
 * lower dirs.
 *
 * @param home the directory the relative paths start from
 * @param lowerDirs relative lower dirs, top first, at least one
 * @param upperDir relative upper dir, or null for a read-only mount
 * @param workDir relative work dir, null exactly when upperDir is
 * @param target the absolute mount point
 * @param indexOff prefix {@code index=off} (when the overlay module has that parameter)
 * @param mountLabel SELinux context, or null
 */
public record OverlayMount(
    Path home,
    List<String> lowerDirs,
    String upperDir,
    String workDir,
    Path target,
    boolean indexOff,
    String mountLabel) {

  /** The kernel's limit on mount data: one page. */
  public static final int MAX_DATA = 4096;

  /** Checks the invariants. */
  public OverlayMount {
    lowerDirs = List.copyOf(lowerDirs);
    if (lowerDirs.isEmpty()) {
      throw new IllegalArgumentException("an overlay mount needs a lower dir");
    }
    if ((upperDir == null) != (workDir == null)) {
      throw new IllegalArgumentException("upper and work dir go together");
    }
    for (String dir : lowerDirs) {
      if (dir.contains(":") || dir.contains(",") || dir.startsWith("/")) {
        throw new IllegalArgumentException(
            "lower dir " + dir + " must be relative, without : or ,");
      }
    }
  }

  /**
   * The mount data string.
   *
   * @throws IllegalStateException if it does not fit in a page
   */
  public String options() {
    List<String> parts = new ArrayList<>();
    if (indexOff) {
      parts.add("index=off");
    }
    parts.add("lowerdir=" + String.join(":", lowerDirs));
    if (upperDir != null) {
      parts.add("upperdir=" + upperDir);
      parts.add("workdir=" + workDir);
    }
    if (mountLabel != null && !mountLabel.isEmpty()) {
      parts.add("context=\"" + mountLabel + "\"");
    }
    String data = String.join(",", parts);
    if (data.length() >= MAX_DATA) {
      throw new IllegalStateException(
          "overlay mount data for "
              + target
              + " is "
              + data.length()
              + " bytes, more than a page ("
              + lowerDirs.size()
              + " lower dirs)");
    }
    return data;
  }
}
