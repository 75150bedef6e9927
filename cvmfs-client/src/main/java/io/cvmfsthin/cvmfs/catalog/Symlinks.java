package io.cvmfsthin.cvmfs.catalog;

import java.util.function.UnaryOperator;

/**
 * Variable expansion in symlink targets as the stock client does it on read (spec §6.8): {@code
 * $(NAME)} becomes the value of {@code NAME}, {@code $(NAME:-default)} falls back to {@code
 * default}, an unset name without default becomes empty, and a {@code $(} without {@code )} stays
 * as written.
 */
public final class Symlinks {
  private Symlinks() {}

  /** Expands {@code raw} with {@code variables} (returning null for unset names). */
  public static String expand(String raw, UnaryOperator<String> variables) {
    StringBuilder out = new StringBuilder(raw.length());
    int i = 0;
    while (i < raw.length()) {
      int start = raw.indexOf("$(", i);
      if (start < 0) {
        break;
      }
      int end = raw.indexOf(')', start + 2);
      if (end < 0) {
        break;
      }
      out.append(raw, i, start);
      String inner = raw.substring(start + 2, end);
      int dflt = inner.indexOf(":-");
      String name = dflt >= 0 ? inner.substring(0, dflt) : inner;
      String value = variables.apply(name);
      if (value == null) {
        value = dflt >= 0 ? inner.substring(dflt + 2) : "";
      }
      out.append(value);
      i = end + 1;
    }
    return out.append(raw, i, raw.length()).toString();
  }
}
