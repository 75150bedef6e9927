package io.cvmfsthin.cvmfs.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CVMFS configuration files: shell-like {@code KEY=value} lines. Understood: blank lines, {@code #}
 * comments (whole-line, or after unquoted whitespace), an optional {@code export}, single or double
 * quotes around the value, and {@code $KEY}/{@code ${KEY}} references to keys set earlier. Anything
 * else a shell would do (commands, conditionals) is not evaluated; such lines are skipped.
 */
public final class ConfigFiles {
  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern REF =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

  private ConfigFiles() {}

  /** The files the stock client reads for {@code fqrn} below {@code configRoot} (/etc/cvmfs). */
  public static List<Path> standardFiles(Path configRoot, String fqrn) throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(configRoot.resolve("default.conf"));
    Path defaultD = configRoot.resolve("default.d");
    if (Files.isDirectory(defaultD)) {
      List<Path> confs = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(defaultD, "*.conf")) {
        ds.forEach(confs::add);
      }
      confs.sort(null);
      files.addAll(confs);
    }
    files.add(configRoot.resolve("default.local"));
    int dot = fqrn.indexOf('.');
    if (dot > 0) {
      String domain = fqrn.substring(dot + 1);
      files.add(configRoot.resolve("domain.d").resolve(domain + ".conf"));
      files.add(configRoot.resolve("domain.d").resolve(domain + ".local"));
    }
    files.add(configRoot.resolve("config.d").resolve(fqrn + ".conf"));
    files.add(configRoot.resolve("config.d").resolve(fqrn + ".local"));
    return files;
  }

  /**
   * Reads the standard files for {@code fqrn} (missing ones are skipped) into one map, later files
   * overriding earlier ones.
   */
  public static Map<String, String> load(Path configRoot, String fqrn) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Path f : standardFiles(configRoot, fqrn)) {
      if (Files.isRegularFile(f)) {
        readInto(f, out);
      }
    }
    return out;
  }

  /** Reads one file into {@code into}, overriding keys it sets. */
  public static void readInto(Path file, Map<String, String> into) throws IOException {
    parseInto(Files.readString(file, StandardCharsets.UTF_8), into);
  }

  /** Parses the text of one file into {@code into}. */
  public static void parseInto(String text, Map<String, String> into) {
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring(7).strip();
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      if (!KEY.matcher(key).matches()) {
        continue;
      }
      into.put(key, value(line.substring(eq + 1).strip(), into));
    }
  }

  private static String value(String v, Map<String, String> known) {
    if (v.length() >= 2 && v.charAt(0) == '\'') {
      int end = v.indexOf('\'', 1);
      return end > 0 ? v.substring(1, end) : v.substring(1);
    }
    if (v.length() >= 2 && v.charAt(0) == '"') {
      int end = v.indexOf('"', 1);
      return expand(end > 0 ? v.substring(1, end) : v.substring(1), known);
    }
    int comment = v.indexOf(" #");
    if (comment < 0) {
      comment = v.indexOf("\t#");
    }
    return expand((comment >= 0 ? v.substring(0, comment) : v).strip(), known);
  }

  private static String expand(String v, Map<String, String> known) {
    Matcher m = REF.matcher(v);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      m.appendReplacement(sb, Matcher.quoteReplacement(known.getOrDefault(name, "")));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
