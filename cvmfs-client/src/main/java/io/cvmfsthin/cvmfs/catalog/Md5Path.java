package io.cvmfsthin.cvmfs.catalog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The key of a catalog row (spec §6.4): MD5 of the repository path, split into two signed
 * little-endian 64-bit halves. The repository root is the empty path {@code ""}; every other path
 * starts with '/' and has no trailing '/'.
 */
public record Md5Path(long high, long low) {

  /** The parent key of the root entry of a root catalog. */
  public static final Md5Path NONE = new Md5Path(0, 0);

  public static Md5Path of(String path) {
    return ofBytes(path.getBytes(StandardCharsets.UTF_8));
  }

  static Md5Path ofBytes(byte[] path) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(path);
      ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
      return new Md5Path(b.getLong(0), b.getLong(8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JDK", e);
    }
  }

  /** The parent of a repository path: {@code /a/b} → {@code /a}, {@code /a} → {@code ""}. */
  public static String parentPath(String path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("the repository root has no parent");
    }
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "" : path.substring(0, slash);
  }

  /** The last component of a repository path; {@code ""} for the root. */
  public static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Joins a directory path and a child name. */
  public static String child(String dir, String name) {
    return dir + "/" + name;
  }

  /**
   * Checks the form of a repository path: "" or '/'-separated non-empty components, none of them
   * "." or "..", no trailing '/', no NUL.
   */
  public static String requireValid(String path) {
    if (path.isEmpty()) {
      return path;
    }
    int n = path.length();
    if (path.charAt(0) != '/' || path.charAt(n - 1) == '/') {
      throw new IllegalArgumentException("not a repository path: '" + path + "'");
    }
    // one pass, no allocation: every catalog row decoded (a directory listing) checks its path
    int start = 1; // of the current component
    for (int i = 1; i <= n; i++) {
      char c = i < n ? path.charAt(i) : '/';
      if (c == '\0') {
        throw new IllegalArgumentException("not a repository path: '" + path + "'");
      }
      if (c == '/') {
        int len = i - start;
        boolean dots =
            (len == 1 || len == 2) && path.charAt(start) == '.' && path.charAt(i - 1) == '.';
        if (len == 0 || dots) {
          throw new IllegalArgumentException("not a repository path: '" + path + "'");
        }
        start = i + 1;
      }
    }
    return path;
  }

  /** Normalizes a user-given path ("/", "a/b", "/a/b/") to the repository form ("", "/a/b"). */
  public static String normalize(String userPath) {
    String p = userPath.trim();
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (!p.isEmpty() && !p.startsWith("/")) {
      p = "/" + p;
    }
    return requireValid(p.contains("//") ? p.replaceAll("/+", "/") : p);
  }

  /** True if {@code path} is {@code prefix} or lies below it, component-wise. */
  public static boolean isAtOrBelow(String path, String prefix) {
    return prefix.isEmpty()
        || path.equals(prefix)
        || (path.startsWith(prefix) && path.charAt(prefix.length()) == '/');
  }
}
