package io.cvmfsthin.cvmfs.fuse;

import java.util.function.UnaryOperator;

/**
 * Symlink variable expansion as the stock client does it (spec §6.8): {@code $(NAME)} becomes the
 * value of variable NAME (empty if unset), {@code $(NAME:-default)} uses the default if unset; a
 * {@code $(} without a closing {@code )} stays as it is.
 */
final class Symlinks {
  private Symlinks() {}

  /** Expands {@code raw}; {@code variables} answers null for an unset variable. */
  static String expand(String raw, UnaryOperator<String> variables) {
    int start = raw.indexOf("$(");
    if (start < 0) {
      return raw;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (start >= 0) {
      int end = raw.indexOf(')', start + 2);
      if (end < 0) {
        break;
      }
      out.append(raw, i, start);
      String body = raw.substring(start + 2, end);
      int dflt = body.indexOf(":-");
      String name = dflt >= 0 ? body.substring(0, dflt) : body;
      String value = variables.apply(name);
      if (value == null) {
        value = dflt >= 0 ? body.substring(dflt + 2) : "";
      }
      out.append(value);
      i = end + 1;
      start = raw.indexOf("$(", i);
    }
    out.append(raw.substring(i));
    return out.toString();
  }
}
