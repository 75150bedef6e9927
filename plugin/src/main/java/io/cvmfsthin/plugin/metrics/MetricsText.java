package io.cvmfsthin.plugin.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format (version 0.0.4) into samples: {@code name{label="
 * value",...} value [timestamp]} per line; {@code #} lines (HELP, TYPE) and blank lines are
 * skipped. Label values may hold {@code \\}, {@code \"} and {@code \n} escapes; values may be
 * {@code +Inf}, {@code -Inf} or {@code NaN}. Core: text in, values out.
 */
public final class MetricsText {
  private MetricsText() {}

  /**
   * One sample: a metric name (with its {@code _total}, {@code _bucket}... suffix), labels, value.
   */
  public record Sample(String name, Map<String, String> labels, double value) {
    public String label(String key) {
      return labels.getOrDefault(key, "");
    }
  }

  /**
   * Parses a whole exposition.
   *
   * @throws IllegalArgumentException naming the line number and showing the line if one is not a
   *     sample
   */
  public static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        samples.add(sample(line));
      } catch (IllegalArgumentException e) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "…" : line;
        throw new IllegalArgumentException(
            "metrics line " + (i + 1) + " '" + shown + "': " + e.getMessage(), e);
      }
    }
    return samples;
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && isNameChar(line.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("no metric name");
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels);
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
      throw new IllegalArgumentException("expected a value (and an optional timestamp)");
    }
    return new Sample(name, Collections.unmodifiableMap(labels), value(rest[0]));
  }

  /** Reads labels from after '{' up to '}', returns the index after '}'. */
  private static int labels(String line, int i, Map<String, String> into) {
    while (true) {
      i = skipSpaces(line, i);
      if (i < line.length() && line.charAt(i) == '}') {
        return i + 1;
      }
      int start = i;
      while (i < line.length() && isNameChar(line.charAt(i), i == start)) {
        i++;
      }
      if (i == start || i >= line.length() || line.charAt(i) != '=') {
        throw new IllegalArgumentException("bad label at column " + (i + 1));
      }
      String key = line.substring(start, i);
      i++;
      if (i >= line.length() || line.charAt(i) != '"') {
        throw new IllegalArgumentException("label " + key + ": value not quoted");
      }
      StringBuilder value = new StringBuilder();
      for (i++; ; i++) {
        if (i >= line.length()) {
          throw new IllegalArgumentException("label " + key + ": unterminated value");
        }
        char c = line.charAt(i);
        if (c == '"') {
          break;
        }
        if (c == '\\' && i + 1 < line.length()) {
          char n = line.charAt(++i);
          value.append(n == 'n' ? '\n' : n);
        } else {
          value.append(c);
        }
      }
      into.put(key, value.toString());
      i = skipSpaces(line, i + 1);
      if (i < line.length() && line.charAt(i) == ',') {
        i++;
      }
    }
  }

  private static int skipSpaces(String line, int i) {
    while (i < line.length() && line.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  private static boolean isNameChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '_'
        || c == ':'
        || (!first && c >= '0' && c <= '9');
  }

  private static double value(String v) {
    switch (v) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("value '" + v + "' is not a number");
        }
    }
  }
}
