package io.cvmfsthin.plugin.metrics;

import io.cvmfsthin.plugin.metrics.MetricsText.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * {@code cvmfs-thin stats}: the endpoint's samples as tables for a person, grouped as fetches per
 * repository and server, cache, FUSE operations, mounts, prefetch, graph-driver and snapshotter
 * calls. A group with nothing in it is left out. Latencies are the mean and the 99th percentile,
 * estimated from the histogram's buckets as Prometheus' {@code histogram_quantile} does. Core.
 */
public final class StatsTable {
  private static final String P = PluginMetrics.PREFIX;

  private StatsTable() {}

  public static String render(List<Sample> samples) {
    StringBuilder out = new StringBuilder();
    fetches(samples, out);
    cache(samples, out);
    fuse(samples, out);
    mounts(samples, out);
    prefetch(samples, out);
    calls(samples, "Graph-driver calls", "graphdriver_call", "call", out);
    calls(samples, "Snapshotter calls", "snapshotter_call", "method", out);
    if (out.length() == 0) {
      out.append("No cvmfs-thin metrics yet (nothing mounted or called).\n");
    }
    return out.toString();
  }

  private static void fetches(List<Sample> samples, StringBuilder out) {
    Map<List<String>, Histogram> latency =
        histograms(samples, P + "fetch_duration_seconds", "repository", "server");
    Map<List<String>, Double> objects =
        sums(samples, P + "fetch_objects_total", "repository", "server");
    Map<List<String>, Double> errors =
        sums(samples, P + "fetch_server_errors_total", "repository", "server");
    TreeMap<List<String>, Boolean> keys = new TreeMap<>(StatsTable::compare);
    objects.keySet().forEach(k -> keys.put(k, true));
    errors.keySet().forEach(k -> keys.put(k, true));
    if (keys.isEmpty()) {
      return;
    }
    Map<List<String>, Double> bytes =
        sums(samples, P + "fetch_bytes_total", "repository", "server");
    Table t = new Table("repository", "server", "objects", "bytes", "errors", "mean ms", "p99 ms");
    for (List<String> k : keys.keySet()) {
      Histogram h = latency.getOrDefault(k, Histogram.EMPTY);
      t.row(
          k.get(0),
          k.get(1),
          count(objects.getOrDefault(k, 0.0)),
          bytes(bytes.getOrDefault(k, 0.0)),
          count(errors.getOrDefault(k, 0.0)),
          millis(h.mean()),
          millis(h.quantile(0.99)));
    }
    out.append("Fetches\n");
    t.appendTo(out);
    double failed = total(samples, P + "fetch_failures_total", s -> true);
    double failovers = total(samples, P + "fetch_failovers_total", s -> true);
    out.append(
        String.format(
            Locale.ROOT,
            "  failed on every server: %s, failovers: %s%n%n",
            count(failed),
            count(failovers)));
  }

  private static void cache(List<Sample> samples, StringBuilder out) {
    Map<List<String>, Double> hits = sums(samples, P + "cache_hits_total", "repository");
    Map<List<String>, Double> misses = sums(samples, P + "cache_misses_total", "repository");
    Map<List<String>, Double> used = sums(samples, P + "cache_used_bytes", "repository");
    TreeMap<List<String>, Boolean> keys = new TreeMap<>(StatsTable::compare);
    for (Map<List<String>, Double> m : List.of(hits, misses, used)) {
      m.keySet().forEach(k -> keys.put(k, true));
    }
    if (keys.isEmpty()) {
      return;
    }
    Map<List<String>, Double> evictions = sums(samples, P + "cache_evictions_total", "repository");
    Map<List<String>, Double> quota = sums(samples, P + "cache_quota_bytes", "repository");
    Table t = new Table("repository", "hits", "misses", "hit %", "evictions", "used", "quota");
    for (List<String> k : keys.keySet()) {
      double h = hits.getOrDefault(k, 0.0);
      double m = misses.getOrDefault(k, 0.0);
      double q = quota.getOrDefault(k, 0.0);
      t.row(
          k.get(0),
          count(h),
          count(m),
          h + m == 0 ? "-" : String.format(Locale.ROOT, "%.1f", 100 * h / (h + m)),
          count(evictions.getOrDefault(k, 0.0)),
          bytes(used.getOrDefault(k, 0.0)),
          q <= 0 ? "none" : bytes(q));
    }
    section(out, "Cache", t);
  }

  private static void fuse(List<Sample> samples, StringBuilder out) {
    Map<List<String>, Histogram> ops =
        histograms(
            samples, P + "fuse_request_duration_seconds", "repository", "transport", "operation");
    if (ops.isEmpty()) {
      return;
    }
    Table t = new Table("repository", "transport", "operation", "count", "mean µs", "p99 µs");
    for (Map.Entry<List<String>, Histogram> e : ops.entrySet()) {
      List<String> k = e.getKey();
      Histogram h = e.getValue();
      t.row(
          k.get(0),
          k.get(1),
          k.get(2),
          count(h.count()),
          micros(h.mean()),
          micros(h.quantile(0.99)));
    }
    section(out, "FUSE operations", t);
  }

  private static void mounts(List<Sample> samples, StringBuilder out) {
    List<String> mounted = new ArrayList<>();
    boolean any = false;
    for (Sample s : samples) {
      if (s.name().equals(P + "mounted_repositories")) {
        any = true;
        if (s.value() > 0) {
          mounted.add(s.label("repository"));
        }
      }
    }
    // the layer gauge is always there; it means something once dockerd has called
    boolean driver = !histograms(samples, P + "graphdriver_call_duration_seconds").isEmpty();
    if (!any && !driver) {
      return;
    }
    out.append("Mounts\n");
    out.append("  repositories mounted: ").append(mounted.size());
    if (!mounted.isEmpty()) {
      mounted.sort(null);
      out.append(" (").append(String.join(", ", mounted)).append(')');
    }
    out.append('\n');
    if (driver) {
      out.append("  layers mounted (graph driver): ")
          .append(count(total(samples, P + "mounted_layers", s -> true)))
          .append('\n');
    }
    out.append('\n');
  }

  private static void prefetch(List<Sample> samples, StringBuilder out) {
    String lists = P + "prefetch_lists_total";
    String files = P + "prefetch_files_total";
    if (samples.stream().noneMatch(s -> s.name().equals(lists) || s.name().equals(files))) {
      return;
    }
    out.append("Prefetch\n");
    out.append(
        String.format(
            Locale.ROOT,
            "  lists: started %s, done %s, stopped %s%n",
            count(total(samples, lists, s -> s.label("state").equals("started"))),
            count(total(samples, lists, s -> s.label("state").equals("done"))),
            count(total(samples, lists, s -> s.label("state").equals("stopped")))));
    out.append(
        String.format(
            Locale.ROOT,
            "  files: fetched %s, missing %s, failed %s, cancelled %s%n%n",
            count(total(samples, files, s -> s.label("outcome").equals("fetched"))),
            count(total(samples, files, s -> s.label("outcome").equals("missing"))),
            count(total(samples, files, s -> s.label("outcome").equals("failed"))),
            count(total(samples, files, s -> s.label("outcome").equals("cancelled")))));
  }

  private static void calls(
      List<Sample> samples, String title, String metric, String label, StringBuilder out) {
    Map<List<String>, Histogram> calls =
        histograms(samples, P + metric + "_duration_seconds", label);
    if (calls.isEmpty()) {
      return;
    }
    Map<List<String>, Double> errors = sums(samples, P + metric + "_errors_total", label);
    Table t = new Table(label, "count", "errors", "mean ms", "p99 ms");
    for (Map.Entry<List<String>, Histogram> e : calls.entrySet()) {
      Histogram h = e.getValue();
      t.row(
          e.getKey().get(0),
          count(h.count()),
          count(errors.getOrDefault(e.getKey(), 0.0)),
          millis(h.mean()),
          millis(h.quantile(0.99)));
    }
    section(out, title, t);
  }

  // --- reading samples ---

  /** Values of {@code name} summed by the given labels (other labels are summed over). */
  static Map<List<String>, Double> sums(List<Sample> samples, String name, String... by) {
    Map<List<String>, Double> m = new TreeMap<>(StatsTable::compare);
    for (Sample s : samples) {
      if (s.name().equals(name)) {
        m.merge(key(s, by), s.value(), Double::sum);
      }
    }
    return m;
  }

  static double total(List<Sample> samples, String name, Predicate<Sample> which) {
    double t = 0;
    for (Sample s : samples) {
      if (s.name().equals(name) && which.test(s)) {
        t += s.value();
      }
    }
    return t;
  }

  /** The histograms of {@code base} by the given labels, from its _bucket, _count and _sum. */
  static Map<List<String>, Histogram> histograms(List<Sample> samples, String base, String... by) {
    Map<List<String>, Histogram> m = new TreeMap<>(StatsTable::compare);
    for (Sample s : samples) {
      if (s.name().equals(base + "_bucket")) {
        double le =
            s.label("le").equals("+Inf")
                ? Double.POSITIVE_INFINITY
                : Double.parseDouble(s.label("le"));
        m.computeIfAbsent(key(s, by), k -> new Histogram())
            .buckets
            .merge(le, s.value(), Double::sum);
      } else if (s.name().equals(base + "_count")) {
        m.computeIfAbsent(key(s, by), k -> new Histogram()).count += s.value();
      } else if (s.name().equals(base + "_sum")) {
        m.computeIfAbsent(key(s, by), k -> new Histogram()).sum += s.value();
      }
    }
    m.values().removeIf(h -> h.count == 0);
    return m;
  }

  private static List<String> key(Sample s, String... by) {
    List<String> k = new ArrayList<>(by.length);
    for (String b : by) {
      k.add(s.label(b));
    }
    return k;
  }

  private static int compare(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** A classic histogram: cumulative counts by upper bound. */
  static final class Histogram {
    static final Histogram EMPTY = new Histogram();
    final TreeMap<Double, Double> buckets = new TreeMap<>();
    double count;
    double sum;

    double count() {
      return count;
    }

    double mean() {
      return count == 0 ? Double.NaN : sum / count;
    }

    /**
     * The q-quantile, interpolated linearly inside its bucket; NaN without observations, the
     * highest finite bound if it falls in the +Inf bucket.
     */
    double quantile(double q) {
      if (count == 0 || buckets.isEmpty()) {
        return Double.NaN;
      }
      double rank = q * count;
      double lower = 0;
      double below = 0;
      for (Map.Entry<Double, Double> b : buckets.entrySet()) {
        double upper = b.getKey();
        double cumulative = b.getValue();
        if (cumulative >= rank) {
          if (upper == Double.POSITIVE_INFINITY) {
            return lower;
          }
          double inBucket = cumulative - below;
          return inBucket <= 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket;
        }
        lower = upper;
        below = cumulative;
      }
      return lower;
    }
  }

  // --- formatting ---

  private static void section(StringBuilder out, String title, Table t) {
    out.append(title).append('\n');
    t.appendTo(out);
    out.append('\n');
  }

  static String count(double v) {
    return String.format(Locale.ROOT, "%d", Math.round(v));
  }

  static String bytes(double v) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0
        ? String.format(Locale.ROOT, "%d B", Math.round(v))
        : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String millis(double seconds) {
    return Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.2f", seconds * 1e3);
  }

  private static String micros(double seconds) {
    return Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.1f", seconds * 1e6);
  }

  /** Columns padded to their widest cell; the first text columns left, numbers right. */
  private static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    void row(String... cells) {
      rows.add(cells);
    }

    void appendTo(StringBuilder out) {
      int columns = rows.get(0).length;
      int[] width = new int[columns];
      boolean[] numeric = new boolean[columns];
      for (int c = 0; c < columns; c++) {
        numeric[c] = true;
        for (int r = 0; r < rows.size(); r++) {
          String cell = rows.get(r)[c];
          width[c] = Math.max(width[c], cell.length());
          if (r > 0 && !cell.isEmpty() && !Character.isDigit(cell.charAt(0)) && !cell.equals("-")) {
            numeric[c] = false;
          }
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < columns; c++) {
          String pad = " ".repeat(width[c] - row[c].length());
          line.append("  ").append(numeric[c] ? pad + row[c] : row[c] + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
      }
    }
  }
}
