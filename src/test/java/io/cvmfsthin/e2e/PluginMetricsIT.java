package io.cvmfsthin.e2e;

import static io.cvmfsthin.e2e.support.MetricsEndpoint.sum;
import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.MetricsEndpoint;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import io.cvmfsthin.plugin.metrics.MetricsText.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The plugin's metrics endpoint, switched on with {@code docker plugin set METRICS_ADDRESS=...}: a
 * private dockerd pulls and runs a thin image whose layers nginx serves; the endpoint then shows
 * the graph-driver calls dockerd made and exactly the fetches nginx logged, and {@code stats}
 * prints them.
 */
@Tag("registry")
@Tag("docker")
@Tag("fuse")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginMetricsIT {
  static final String FQRN = "metrics.thin.e2e.local";
  static final String P = "cvmfsthin_";

  Path work;
  LocalRegistry registry;
  NginxStratum stratum;
  PrivateDockerd reference;
  PluginDaemon daemon;
  PrivateDockerd docker;
  String thin;
  String address;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    registry = new LocalRegistry(work.resolve("registry")).start();
    Path storage = work.resolve("stratum");
    Path keys = work.resolve("keys");
    Cli.createRepository(storage, keys, FQRN);
    stratum = new NginxStratum(work.resolve("nginx"), storage).start();
    reference = new PrivateDockerd(work.resolve("overlay2")).start("overlay2");
    TestImages.importBusybox(reference, work.resolve("img"), "test/base:1");
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM test/base:1\nRUN mkdir /data && echo needed > /data/needed.txt\n");
    String source = registry.address() + "/e2e/metrics:1";
    TestImages.build(reference, ctx, source);
    reference.dockerOk("push", source);
    Cli.convert(source, storage, keys, FQRN);
    thin = registry.address() + "/e2e/metrics_thin:1";
    address = "127.0.0.1:" + LocalRegistry.freePort();
    daemon = PluginDaemon.start(work.resolve("plugin"), List.of("METRICS_ADDRESS=" + address));
    docker = daemon.docker();
    daemon.configureRepository(FQRN, keys.resolve(FQRN + ".pub"), stratum.serverUrl());
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, daemon, reference, stratum, registry);
  }

  @Test
  void pullAndRun_driverCallsAndFetchesMatchWhatHappened() throws Exception {
    docker.dockerOk("pull", thin);
    assertThat(docker.dockerOk("run", "--rm", "--network", "none", thin, "cat", "/data/needed.txt"))
        .isEqualTo("needed");

    List<Sample> s = MetricsEndpoint.scrape(address);
    for (String call : List.of("Create", "CreateReadWrite", "ApplyDiff", "Get", "Put")) {
      assertThat(
              sum(
                  s,
                  P + "graphdriver_call_duration_seconds_count",
                  x -> x.label("call").equals(call)))
          .as("%s calls seen", call)
          .isPositive();
    }
    assertThat(sum(s, P + "graphdriver_call_errors_total")).isZero();

    // the plugin is nginx's only client of the repository (the start probe asked for /cvmfs/)
    List<NginxStratum.Request> log =
        stratum.requests().stream()
            .filter(r -> r.path().startsWith("/cvmfs/" + FQRN + "/"))
            .toList();
    assertThat(log).isNotEmpty().allMatch(r -> r.status() == 200, "every request answered 200");
    String server = stratum.serverUrl().replace("@fqrn@", FQRN);
    assertThat(sum(s, P + "fetch_objects_total", x -> x.label("repository").equals(FQRN)))
        .as("objects the plugin fetched = requests nginx logged")
        .isEqualTo(log.size());
    assertThat(sum(s, P + "fetch_objects_total", x -> x.label("server").equals(server)))
        .isEqualTo(log.size());
    assertThat(sum(s, P + "fetch_bytes_total"))
        .as("bytes the plugin fetched = bytes nginx sent")
        .isEqualTo(log.stream().mapToLong(NginxStratum.Request::bytes).sum());
    assertThat(sum(s, P + "cache_misses_total")).isEqualTo(MetricsMountIT.cacheMisses(log));
    assertThat(
            sum(
                s,
                P + "fuse_request_duration_seconds_count",
                x -> x.label("repository").equals(FQRN)))
        .as("FUSE requests of the container's reads")
        .isPositive();

    List<Long> pids = daemon.pluginPids();
    assertThat(pids).hasSize(1);
    // the plugin's process is the supervisor; its worker (a child) serves and listens
    Set<Integer> ports = new java.util.HashSet<>();
    for (long p : processTree(pids.get(0))) {
      ports.addAll(MetricsEndpoint.listeningPorts(p));
    }
    assertThat(ports)
        .as("the plugin (supervisor and worker) listens on the metrics port only, on loopback")
        .isEqualTo(Set.of(Integer.parseInt(address.substring(address.indexOf(':') + 1))));

    Cmd.Result stats =
        Cmd.run(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            MetricsMountIT.jar().toString(),
            "stats",
            "--address",
            address);
    assertThat(stats.exit()).as(stats.stderr()).isZero();
    System.out.println("[stats]\n" + stats.stdout());
    assertThat(stats.stdout())
        .contains("Fetches", server, "Cache", "FUSE operations", "Graph-driver calls", "ApplyDiff");
  }

  /** {@code pid} and its descendants, from /proc/PID/task/TID/children. */
  static List<Long> processTree(long pid) throws IOException {
    List<Long> all = new java.util.ArrayList<>(List.of(pid));
    for (int i = 0; i < all.size(); i++) {
      Path tasks = Path.of("/proc", Long.toString(all.get(i)), "task");
      if (!Files.isDirectory(tasks)) {
        continue;
      }
      try (var dirs = Files.list(tasks)) {
        for (Path t : dirs.toList()) {
          Path children = t.resolve("children");
          if (Files.isReadable(children)) {
            for (String c : Files.readString(children).trim().split("\\s+")) {
              if (!c.isEmpty()) {
                all.add(Long.parseLong(c));
              }
            }
          }
        }
      }
    }
    return all;
  }
}
