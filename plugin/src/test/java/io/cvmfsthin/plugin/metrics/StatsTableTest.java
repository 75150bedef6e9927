package io.cvmfsthin.plugin.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.metrics.RepositoryMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry's own text, parsed back and shown as tables: the path of {@code stats}. */
class StatsTableTest {
  static final String REPO = "demo.example.org";
  static final String SERVER = "http://127.0.0.1:8080/cvmfs/demo.example.org";

  static String scrape(PluginMetrics m) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, m.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void render_knownEvents_showsEachGroupWithItsNumbers() throws Exception {
    PluginMetrics m = new PluginMetrics();
    RepositoryMetrics r = m.repository(REPO);
    r.fetched(SERVER, 1000, 2_000_000); // 2 ms
    r.fetched(SERVER, 2048, 4_000_000); // 4 ms
    r.serverFailed("http://down/cvmfs/demo.example.org");
    r.failedOver("http://down/cvmfs/demo.example.org", SERVER);
    r.cacheOpened(() -> 3 * 1024 * 1024, 0);
    r.cacheMiss();
    r.cacheMiss();
    r.cacheHit();
    r.cacheEvicted(10);
    r.mounted();
    for (int i = 0; i < 100; i++) {
      r.fuseCall("kernel", "getattr", 20_000); // 20 µs
    }
    r.fuseCall("kernel", "read", 1_000_000);
    m.driverCall("Get", 3_000_000, false);
    m.driverCall("Create", 1_000_000, true);
    m.layersMounted(2);
    m.listStarted();
    m.fileEnded(REPO, "fetched");
    m.fileEnded(REPO, "missing");
    m.snapshotterCall("Prepare", "OK", 1_000_000);
    m.snapshotterCall("Stat", "NOT_FOUND", 1_000_000);

    List<MetricsText.Sample> samples = MetricsText.parse(scrape(m));
    String table = StatsTable.render(samples);

    assertThat(table)
        .contains("Fetches", "Cache", "FUSE operations", "Mounts", "Prefetch")
        .contains("Graph-driver calls", "Snapshotter calls");
    assertThat(line(table, SERVER)).containsSubsequence(REPO, SERVER, "2", "3.0 KiB", "0", "3.00");
    assertThat(line(table, "http://down")).containsSubsequence(REPO, "0", "0 B", "1");
    assertThat(table).contains("failed on every server: 0, failovers: 1");
    assertThat(line(table, "none")).containsSubsequence(REPO, "1", "2", "33.3", "1", "3.0 MiB");
    assertThat(line(table, "getattr"))
        .containsSubsequence(REPO, "kernel", "getattr", "100", "20.0");
    assertThat(line(table, " read ")).containsSubsequence("kernel", "read", "1", "1000.0");
    assertThat(table).contains("repositories mounted: 1 (" + REPO + ")");
    assertThat(table).contains("layers mounted (graph driver): 2");
    assertThat(table).contains("lists: started 1, done 0, stopped 0");
    assertThat(table).contains("files: fetched 1, missing 1, failed 0, cancelled 0");
    assertThat(line(table, "Create")).containsSubsequence("Create", "1", "1", "1.00");
    assertThat(line(table, " Get ")).containsSubsequence("Get", "1", "0", "3.00");
    assertThat(line(table, "Stat")).containsSubsequence("Stat", "1", "1");
    assertThat(line(table, "Prepare")).containsSubsequence("Prepare", "1", "0");
  }

  @Test
  void render_nothingRecorded_saysSo() throws Exception {
    assertThat(StatsTable.render(MetricsText.parse(scrape(new PluginMetrics()))))
        .contains("No cvmfs-thin metrics yet");
  }

  @Test
  void quantile_interpolatesInsideTheBucketLikeHistogramQuantile() {
    StatsTable.Histogram h = new StatsTable.Histogram();
    h.buckets.put(1.0, 50.0);
    h.buckets.put(2.0, 100.0);
    h.buckets.put(Double.POSITIVE_INFINITY, 100.0);
    h.count = 100;
    h.sum = 120;
    assertThat(h.quantile(0.5)).isEqualTo(1.0);
    assertThat(h.quantile(0.99)).isCloseTo(1.98, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(h.mean()).isEqualTo(1.2);
  }

  @Test
  void quantile_inTheInfBucket_isTheHighestFiniteBound() {
    StatsTable.Histogram h = new StatsTable.Histogram();
    h.buckets.put(1.0, 0.0);
    h.buckets.put(Double.POSITIVE_INFINITY, 4.0);
    h.count = 4;
    assertThat(h.quantile(0.99)).isEqualTo(1.0);
  }

  static String line(String table, String containing) {
    return table.lines().filter(l -> l.contains(containing)).findFirst().orElseThrow();
  }
}
