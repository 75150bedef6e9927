package io.cvmfsthin.driver.layer;

import java.util.regex.Pattern;

/** Layer ids from dockerd: 64 hex, optionally {@code -init}; anything usable as a file name. */
public final class LayerIds {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private LayerIds() {}

  /**
   * Checks an id before it becomes a directory name.
   *
   * @throws IllegalArgumentException for empty ids, {@code /}, {@code ..} and the like
   */
  public static String check(String id) {
    if (id == null || !SAFE.matcher(id).matches() || id.contains("..")) {
      throw new IllegalArgumentException(
          "layer id " + (id == null ? "(none)" : "\"" + id + "\"") + " is not a valid id");
    }
    return id;
  }

  /** A parent id: null or empty means none. */
  public static String parentOrNull(String parent) {
    return parent == null || parent.isEmpty() ? null : check(parent);
  }
}
