package io.cvmfsthin.cvmfs.client;

import java.util.regex.Pattern;

/** Checks fully qualified repository names before they reach a URL or a path. */
public final class RepositoryNames {
  private static final Pattern FQRN =
      Pattern.compile(
          "[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)+");

  private RepositoryNames() {}

  /**
   * Returns {@code fqrn} if it is a dotted name of letters, digits, '-' and '_' (at least one dot,
   * as the stock client requires); refuses '/', '..', blanks and the like.
   */
  public static String requireValid(String fqrn) {
    if (fqrn == null || fqrn.isEmpty() || fqrn.length() > 253 || !FQRN.matcher(fqrn).matches()) {
      String shown =
          fqrn == null ? "null" : fqrn.length() > 60 ? fqrn.substring(0, 57) + "..." : fqrn;
      throw new IllegalArgumentException(
          "repository name '"
              + shown
              + "' is invalid: expected a dotted name like atlas.cern.ch"
              + " (letters, digits, '-', '_'; no '/', no '..')");
    }
    return fqrn;
  }
}
