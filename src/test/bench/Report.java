/*
 * Turns OUTDIR/results.csv into OUTDIR/results.md (p50/p95 per mode, size, state and shaping, and
 * the thin ÷ regular ratios against the project's targets) and OUTDIR/ttft.dat + ttft.gp (the
 * gnuplot script that draws OUTDIR/ttft.png: cold time to first task against image size, one line
 * per mode, unshaped solid and shaped dashed), and total.dat + total.gp the same for the whole task. Run as a single-file program (Java 17):
 *
 *   java Report.java OUTDIR
 *
 * Percentiles interpolate linearly between the sorted runs (with 2 runs, p95 is close to the max).
 */
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

public final class Report {
  private static final List<String> MODES =
      List.of("overlay2-regular", "plugin-regular", "plugin-thin", "plugin-thin-prefetch");

  record Key(String shaped, String mode, double size, String state) {}

  record Stats(int n, int failed, double[] ttft, double[] total, double[] bytes, double[] requests) {}

  public static void main(String[] args) throws IOException {
    Locale.setDefault(Locale.ROOT);
    Path out = Path.of(args[0]);
    List<String> lines = Files.readAllLines(out.resolve("results.csv"));
    Map<Key, List<String[]>> groups = new LinkedHashMap<>();
    TreeSet<Double> sizes = new TreeSet<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      double size = Double.parseDouble(f[1]);
      sizes.add(size);
      groups.computeIfAbsent(new Key(f[8], f[0], size, f[2]), k -> new ArrayList<>()).add(f);
    }
    Map<Key, Stats> stats = new LinkedHashMap<>();
    groups.forEach((k, rows) -> stats.put(k, stats(rows)));

    StringBuilder md = new StringBuilder();
    md.append("# Benchmark results\n\n")
        .append("ttft: start of `docker pull` to the task's first timestamp; total: to its last, after")
        .append(" reading the working set; MB and requests: what nginx logged for the registry and the")
        .append(" stratum (MB = 10^6 bytes, headers included). p50/p95 over the recorded runs (the warm-up")
        .append(" is not recorded). shaped: 10 ms per request, 100 Mbit/s.\n\n")
        .append("| shaped | mode | GiB | state | runs | ttft p50 s | ttft p95 s | total p50 s |")
        .append(" total p95 s | MB p50 | MB p95 | requests p50 | requests p95 |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String shaped : List.of("no", "yes")) {
      for (double size : sizes) {
        for (String state : List.of("cold", "warm")) {
          for (String mode : MODES) {
            Stats s = stats.get(new Key(shaped, mode, size, state));
            if (s == null) {
              continue;
            }
            md.append(
                String.format(
                    "| %s | %s | %s | %s | %d%s | %.2f | %.2f | %.2f | %.2f | %.3f | %.3f | %.0f | %.0f |%n",
                    shaped, mode, fmt(size), state, s.n(), s.failed() > 0 ? " (" + s.failed() + " failed)" : "",
                    p(s.ttft(), 50), p(s.ttft(), 95), p(s.total(), 50), p(s.total(), 95),
                    p(s.bytes(), 50) / 1e6, p(s.bytes(), 95) / 1e6,
                    p(s.requests(), 50), p(s.requests(), 95)));
          }
        }
      }
    }

    md.append("\n## thin ÷ regular (p50)\n\n")
        .append("| shaped | state | GiB | ttft thin÷overlay2 | ttft thin÷plugin-regular |")
        .append(" bytes thin÷overlay2 | bytes thin÷plugin-regular |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (String shaped : List.of("no", "yes")) {
      for (String state : List.of("cold", "warm")) {
        for (double size : sizes) {
          Stats thin = stats.get(new Key(shaped, "plugin-thin", size, state));
          Stats a = stats.get(new Key(shaped, "overlay2-regular", size, state));
          Stats b = stats.get(new Key(shaped, "plugin-regular", size, state));
          if (thin == null || (a == null && b == null)) {
            continue;
          }
          md.append(
              String.format(
                  "| %s | %s | %s | %s | %s | %s | %s |%n", shaped, state, fmt(size),
                  ratio(thin.ttft(), a == null ? null : a.ttft()),
                  ratio(thin.ttft(), b == null ? null : b.ttft()),
                  ratio(thin.bytes(), a == null ? null : a.bytes()),
                  ratio(thin.bytes(), b == null ? null : b.bytes())));
        }
      }
    }

    md.append("\n## thin total ÷ overlay2 total (p50): the whole task, not only its start\n\n")
        .append("plugin-thin: no prefetch list; plugin-thin-prefetch: a list recorded by an earlier run")
        .append(" on another cache, found in the repository.\n\n")
        .append("| shaped | state | GiB | total thin÷overlay2 | total thin-prefetch÷overlay2 |")
        .append(" total thin-prefetch÷thin |\n")
        .append("|---|---|---|---|---|---|\n");
    for (String shaped : List.of("no", "yes")) {
      for (String state : List.of("cold", "warm")) {
        for (double size : sizes) {
          Stats thin = stats.get(new Key(shaped, "plugin-thin", size, state));
          Stats pre = stats.get(new Key(shaped, "plugin-thin-prefetch", size, state));
          Stats a = stats.get(new Key(shaped, "overlay2-regular", size, state));
          if (a == null || (thin == null && pre == null)) {
            continue;
          }
          md.append(
              String.format(
                  "| %s | %s | %s | %s | %s | %s |%n", shaped, state, fmt(size),
                  thin == null ? "–" : ratio(thin.total(), a.total()),
                  pre == null ? "–" : ratio(pre.total(), a.total()),
                  pre == null || thin == null ? "–" : ratio(pre.total(), thin.total())));
        }
      }
    }

    md.append("\n## thin time to first task across sizes (cold, p50)\n\n")
        .append("| shaped | thin ttft p50 per size (s) | largest deviation from their mean |\n")
        .append("|---|---|---|\n");
    for (String shaped : List.of("no", "yes")) {
      List<Double> v = new ArrayList<>();
      StringBuilder per = new StringBuilder();
      for (double size : sizes) {
        Stats thin = stats.get(new Key(shaped, "plugin-thin", size, "cold"));
        if (thin != null && thin.n() > 0) {
          double x = p(thin.ttft(), 50);
          v.add(x);
          per.append(String.format("%s GiB: %.2f; ", fmt(size), x));
        }
      }
      if (v.isEmpty()) {
        continue;
      }
      double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      double dev = v.stream().mapToDouble(x -> Math.abs(x / mean - 1)).max().orElse(0);
      md.append(String.format("| %s | %s | ±%.0f%% |%n", shaped, per.toString().trim(), 100 * dev));
    }
    md.append("\nTargets: thin ÷ regular ttft ≤ 0.07 at 1 GiB; thin ttft within ±10% from 0.25 to")
        .append(" 4 GiB; thin ÷ regular bytes ≤ 0.06; shaped, cold, with a list recorded elsewhere:")
        .append(" thin total ÷ overlay2 total ≤ 0.4 at 0.25 GiB and ≤ 0.1 at 1 GiB.\n\nPlot: ttft.png (cold ttft p50 against")
        .append(" image size; solid unshaped, dashed shaped).\n");
    Files.writeString(out.resolve("results.md"), md.toString());
    writePlot(out, stats, sizes, "ttft", "Time to first task, cold (p50)", "docker pull start -> task start (s)");
    writePlot(out, stats, sizes, "total", "Whole task, cold (p50)", "docker pull start -> task end (s)");
  }

  /** {@code <name>.dat} and {@code <name>.gp}, which draws {@code <name>.png}. */
  private static void writePlot(
      Path out, Map<Key, Stats> stats, TreeSet<Double> sizes, String name, String title, String ylabel)
      throws IOException {
    StringBuilder dat = new StringBuilder();
    StringBuilder plot = new StringBuilder();
    int index = 0;
    for (String shaped : List.of("no", "yes")) {
      for (int m = 0; m < MODES.size(); m++) {
        String mode = MODES.get(m);
        StringBuilder block = new StringBuilder();
        for (double size : sizes) {
          Stats s = stats.get(new Key(shaped, mode, size, "cold"));
          if (s != null && s.n() > 0) {
            double[] v = name.equals("ttft") ? s.ttft() : s.total();
            block.append(String.format("%s %.3f %.3f%n", fmt(size), p(v, 50), p(v, 95)));
          }
        }
        if (block.length() == 0) {
          continue;
        }
        dat.append("# ").append(mode).append(" shaped=").append(shaped).append('\n');
        dat.append(block).append("\n\n");
        plot.append(plot.length() == 0 ? "plot " : ", \\\n     ")
            .append(String.format(
                "'" + name + ".dat' index %d using 1:2 with linespoints lc %d dt %d pt %d title '%s%s'",
                index++, m + 1, shaped.equals("yes") ? 2 : 1, shaped.equals("yes") ? 6 : 7, mode,
                shaped.equals("yes") ? " (shaped)" : ""));
      }
    }
    Files.writeString(out.resolve(name + ".dat"), dat.toString());
    Files.writeString(
        out.resolve(name + ".gp"),
        "set terminal pngcairo size 900,600 dashed\nset output '" + name + ".png'\n"
            + "set title '" + title + "'\n"
            + "set xlabel 'image size (GiB)'\nset ylabel '" + ylabel + "'\n"
            + "set logscale xy\nset grid\nset key top left\n"
            + "set xtics (" + String.join(", ", sizes.stream().map(s -> "'" + fmt(s) + "' " + fmt(s)).toList()) + ")\n"
            + plot + "\n");
  }

  private static Stats stats(List<String[]> rows) {
    List<double[]> ok = new ArrayList<>();
    int failed = 0;
    for (String[] f : rows) {
      if (f[4].equals("NA")) {
        failed++;
      } else {
        ok.add(new double[] {
            Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
            Double.parseDouble(f[7])});
      }
    }
    double[][] cols = new double[4][ok.size()];
    for (int i = 0; i < ok.size(); i++) {
      for (int c = 0; c < 4; c++) {
        cols[c][i] = ok.get(i)[c];
      }
    }
    for (double[] c : cols) {
      Arrays.sort(c);
    }
    return new Stats(ok.size(), failed, cols[0], cols[1], cols[2], cols[3]);
  }

  private static double p(double[] sorted, int pct) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double pos = (sorted.length - 1) * pct / 100.0;
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  private static String ratio(double[] thin, double[] regular) {
    if (regular == null || thin.length == 0 || regular.length == 0) {
      return "–";
    }
    return String.format("%.3f", p(thin, 50) / p(regular, 50));
  }

  private static String fmt(double size) {
    return size == Math.rint(size) ? String.valueOf((long) size) : String.valueOf(size);
  }
}
