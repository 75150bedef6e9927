package io.cvmfsthin.e2e.support;

import io.cvmfsthin.plugin.metrics.MetricsText;
import io.cvmfsthin.plugin.metrics.MetricsText.Sample;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reads a {@code /metrics} endpoint the way Prometheus would, and what a process listens on. */
public final class MetricsEndpoint {
  private MetricsEndpoint() {}

  public static List<Sample> scrape(String hostPort) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create("http://" + hostPort + "/metrics").toURL().openConnection(Proxy.NO_PROXY);
    c.setConnectTimeout(2000);
    c.setReadTimeout(10000);
    try (InputStream in = c.getInputStream()) {
      return MetricsText.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      c.disconnect();
    }
  }

  /** The sum of {@code name} over the samples {@code which} accepts. */
  public static double sum(List<Sample> samples, String name, Predicate<Sample> which) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && which.test(s))
        .mapToDouble(Sample::value)
        .sum();
  }

  public static double sum(List<Sample> samples, String name) {
    return sum(samples, name, s -> true);
  }

  /**
   * The TCP ports {@code pid} listens on: its socket descriptors matched against the LISTEN entries
   * of {@code /proc/net/tcp} and {@code tcp6}.
   */
  public static Set<Integer> listeningPorts(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor went away while listed
        }
      }
    }
    Set<Integer> ports = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table)).subList(1, lineCount(table))) {
        String[] f = line.strip().split("\\s+");
        if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
          String local = f[1];
          ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
        }
      }
    }
    return ports;
  }

  private static int lineCount(String table) throws IOException {
    return Files.readAllLines(Path.of(table)).size();
  }
}
