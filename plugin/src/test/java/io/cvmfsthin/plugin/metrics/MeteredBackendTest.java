package io.cvmfsthin.plugin.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import io.cvmfsthin.plugin.protocol.PluginApi;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's calls through the protocol core onto the metered backend: counted, timed, errors. */
class MeteredBackendTest {

  /** Answers everything; a layer named "fail" fails. */
  static final class Layers implements GraphDriverBackend {
    @Override
    public void init(Path home, List<String> options, List<IdMap> uid, List<IdMap> gid) {}

    @Override
    public void create(String id, String parent, String label, Map<String, String> opt)
        throws IOException {
      if (id.equals("fail")) {
        throw new IOException("layer fail: disk on fire");
      }
    }

    @Override
    public void createReadWrite(String id, String parent, String label, Map<String, String> o) {}

    @Override
    public void remove(String id) {}

    @Override
    public Path get(String id, String mountLabel) throws IOException {
      if (id.equals("fail")) {
        throw new IOException("layer fail does not exist");
      }
      return Path.of("/data", id, "merged");
    }

    @Override
    public void put(String id) {}

    @Override
    public boolean exists(String id) {
      return true;
    }

    @Override
    public List<Map.Entry<String, String>> status() {
      return List.of();
    }

    @Override
    public Map<String, String> metadata(String id) {
      return Map.of();
    }

    @Override
    public void cleanup() {}

    @Override
    public InputStream diff(String id, String parent) {
      return new ByteArrayInputStream(new byte[10]);
    }

    @Override
    public List<Change> changes(String id, String parent) {
      return List.of();
    }

    @Override
    public long applyDiff(String id, String parent, InputStream tar) throws IOException {
      return tar.readAllBytes().length;
    }

    @Override
    public long diffSize(String id, String parent) {
      return 0;
    }

    @Override
    public boolean reproducesExactDiffs() {
      return false;
    }
  }

  static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void calls_areCountedByEndpoint_errorsCounted_layersMountedFollowGetAndPut() throws Exception {
    PluginMetrics m = new PluginMetrics();
    MeteredBackend backend = new MeteredBackend(new Layers(), m);
    PluginApi api = new PluginApi(backend);
    api.call("/GraphDriver.Create", json("{\"ID\":\"a\",\"Parent\":\"\"}"));
    api.call("/GraphDriver.Create", json("{\"ID\":\"fail\",\"Parent\":\"\"}"));
    api.call("/GraphDriver.Get", json("{\"ID\":\"a\",\"MountLabel\":\"\"}"));
    api.call("/GraphDriver.Get", json("{\"ID\":\"a\",\"MountLabel\":\"\"}"));
    api.call("/GraphDriver.Get", json("{\"ID\":\"b\",\"MountLabel\":\"\"}"));
    api.call("/GraphDriver.Get", json("{\"ID\":\"fail\",\"MountLabel\":\"\"}"));
    api.call("/GraphDriver.Put", json("{\"ID\":\"a\"}"));
    try (InputStream diff = backend.diff("a", "")) {
      assertThat(diff.readAllBytes()).hasSize(10);
    }

    List<MetricsText.Sample> s = MetricsText.parse(StatsTableTest.scrape(m));
    String count = PluginMetrics.PREFIX + "graphdriver_call_duration_seconds_count";
    assertThat(StatsTable.sums(s, count, "call"))
        .containsEntry(List.of("Create"), 2.0)
        .containsEntry(List.of("Get"), 4.0)
        .containsEntry(List.of("Put"), 1.0)
        .containsEntry(List.of("Diff"), 1.0);
    assertThat(StatsTable.sums(s, PluginMetrics.PREFIX + "graphdriver_call_errors_total", "call"))
        .containsOnly(Map.entry(List.of("Create"), 1.0), Map.entry(List.of("Get"), 1.0));
    assertThat(StatsTable.total(s, PluginMetrics.PREFIX + "mounted_layers", x -> true))
        .as("a still got once, b once; the failed Get mounted nothing")
        .isEqualTo(2.0);
    backend.put("a");
    backend.put("b");
    backend.put("never-got");
    assertThat(
            StatsTable.total(
                MetricsText.parse(StatsTableTest.scrape(m)),
                PluginMetrics.PREFIX + "mounted_layers",
                x -> true))
        .isZero();
  }

  @Test
  void failedCall_reachesDockerUnchanged() {
    MeteredBackend backend = new MeteredBackend(new Layers(), new PluginMetrics());
    assertThatThrownBy(() -> backend.create("fail", "", "", Map.of()))
        .isInstanceOf(IOException.class)
        .hasMessage("layer fail: disk on fire");
  }
}
