package io.cvmfsthin.driver;

/**
 * One entry of {@code Changes}.
 *
 * @param path absolute inside the container, e.g. {@code /etc/passwd}
 * @param kind 0 = modified, 1 = added, 2 = deleted (Docker's numbers)
 */
public record Change(String path, int kind) {
  public static final int MODIFIED = 0;
  public static final int ADDED = 1;
  public static final int DELETED = 2;
}
