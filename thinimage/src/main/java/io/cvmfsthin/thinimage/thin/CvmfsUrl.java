package io.cvmfsthin.thinimage.thin;

import java.util.regex.Pattern;

/**
 * The location of an unpacked layer, {@code cvmfs://<fqrn>/<path>} (thin-image.md §2).
 *
 * <p>{@code fqrn} is a lowercase DNS name with at least two labels; {@code path} is a non-empty,
 * relative, {@code /}-separated path without empty, {@code .} or {@code ..} segments, so that it
 * can be resolved inside the repository mount without leaving it.
 *
 * @param fqrn the repository's fully qualified name, e.g. {@code unpacked.cern.ch}
 * @param path the layer directory relative to the repository root, no leading slash
 */
public record CvmfsUrl(String fqrn, String path) {
  private static final String SCHEME = "cvmfs://";
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

  /** Checks both parts; throws {@link IllegalArgumentException} naming the bad part. */
  public CvmfsUrl {
    checkFqrn(fqrn);
    checkPath(path);
  }

  /**
   * Parses {@code cvmfs://<fqrn>/<path>}.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static CvmfsUrl parse(String url) {
    if (url == null) {
      throw new IllegalArgumentException("missing");
    }
    if (!url.startsWith(SCHEME)) {
      int colon = url.indexOf("://");
      String scheme = colon < 0 ? "(none)" : url.substring(0, colon);
      throw new IllegalArgumentException("scheme " + scheme + " is not cvmfs (in " + url + ")");
    }
    String rest = url.substring(SCHEME.length());
    for (char bad : new char[] {'?', '#', '@', '\\'}) {
      if (rest.indexOf(bad) >= 0) {
        throw new IllegalArgumentException(
            "'" + bad + "' not allowed (no user-info, query or fragment) in " + url);
      }
    }
    int slash = rest.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("no path after the repository name in " + url);
    }
    String authority = rest.substring(0, slash);
    if (authority.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a port is not allowed in " + url);
    }
    return new CvmfsUrl(authority, rest.substring(slash + 1));
  }

  private static void checkFqrn(String fqrn) {
    if (fqrn == null || fqrn.isEmpty()) {
      throw new IllegalArgumentException("empty repository name");
    }
    String[] labels = fqrn.split("\\.", -1);
    if (labels.length < 2) {
      throw new IllegalArgumentException(
          "repository name " + fqrn + " is not a fully qualified name (needs a dot)");
    }
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException(
            "repository name " + fqrn + " is not a lowercase DNS name (label '" + label + "')");
      }
    }
  }

  private static void checkPath(String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("empty layer path");
    }
    if (path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("NUL in layer path");
    }
    if (path.startsWith("/")) {
      throw new IllegalArgumentException("layer path " + path + " must not start with '/'");
    }
    if (path.endsWith("/")) {
      throw new IllegalArgumentException("layer path " + path + " must not end with '/'");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("empty segment in layer path " + path);
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("segment '" + segment + "' in layer path " + path);
      }
    }
  }

  @Override
  public String toString() {
    return SCHEME + fqrn + "/" + path;
  }
}
