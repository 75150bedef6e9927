package io.cvmfsthin.driver.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The part of containerd's filter syntax that snapshot listings use: a list of filters, any of
 * which may match; each a comma-separated conjunction of {@code field==value}, {@code field!=value}
 * or {@code field} (present), where field is {@code name}, {@code parent}, {@code kind} or {@code
 * labels.<key>} (the key may be double-quoted). Anything else is refused.
 */
final class Filters {
  private Filters() {}

  static Predicate<Snapshot> parse(List<String> filters) throws SnapshotException {
    List<Predicate<Snapshot>> any = new ArrayList<>();
    for (String filter : filters) {
      if (filter.isBlank()) {
        continue;
      }
      Predicate<Snapshot> all = s -> true;
      for (String clause : filter.split(",")) {
        all = all.and(clause(clause.strip(), filter));
      }
      any.add(all);
    }
    if (any.isEmpty()) {
      return s -> true;
    }
    return s -> any.stream().anyMatch(p -> p.test(s));
  }

  private static Predicate<Snapshot> clause(String clause, String filter) throws SnapshotException {
    String op;
    int at;
    if ((at = clause.indexOf("==")) >= 0) {
      op = "==";
    } else if ((at = clause.indexOf("!=")) >= 0) {
      op = "!=";
    } else {
      op = "";
      at = clause.length();
    }
    String field = clause.substring(0, at).strip();
    String value = op.isEmpty() ? null : unquote(clause.substring(at + op.length()).strip());
    java.util.function.Function<Snapshot, String> get = getter(field, filter);
    if (value == null) {
      return s -> get.apply(s) != null;
    }
    Predicate<Snapshot> eq = s -> value.equals(get.apply(s));
    return op.equals("==") ? eq : eq.negate();
  }

  private static java.util.function.Function<Snapshot, String> getter(String field, String filter)
      throws SnapshotException {
    switch (field) {
      case "name":
        return Snapshot::name;
      case "parent":
        return Snapshot::parent;
      case "kind":
        return s -> s.kind().name().toLowerCase(java.util.Locale.ROOT);
      default:
        if (field.startsWith("labels.") && field.length() > "labels.".length()) {
          String key = unquote(field.substring("labels.".length()));
          return s -> s.labels().get(key);
        }
        throw new SnapshotException(
            SnapshotException.Reason.INVALID_ARGUMENT,
            "filter " + filter + ": unsupported field " + field);
    }
  }

  private static String unquote(String s) {
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      return s.substring(1, s.length() - 1).replace("\\\"", "\"");
    }
    return s;
  }
}
