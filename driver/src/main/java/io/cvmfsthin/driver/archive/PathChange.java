package io.cvmfsthin.driver.archive;

/**
 * One entry of a layer's changes, as overlay2 reports them.
 *
 * @param path absolute inside the root file system, e.g. {@code /etc/passwd}
 * @param kind what happened to it
 */
public record PathChange(String path, Kind kind) {
  /** Docker's change kinds; {@link #wire()} is the number in the plugin protocol. */
  public enum Kind {
    MODIFIED,
    ADDED,
    DELETED;

    /** 0 = modified, 1 = added, 2 = deleted. */
    public int wire() {
      return ordinal();
    }
  }
}
