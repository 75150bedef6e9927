package io.cvmfsthin.e2e;

import static io.cvmfsthin.e2e.support.MetricsEndpoint.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.MetricsEndpoint;
import io.cvmfsthin.e2e.support.Mounts;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.WorkDirs;
import io.cvmfsthin.plugin.Main;
import io.cvmfsthin.plugin.metrics.MetricsText.Sample;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The metrics of {@code cvmfs-thin mount} after a known workload, against what nginx logged: a
 * repository of {@value #FILES} files of random bytes (one object each) served by nginx, mounted by
 * the command as a process with {@code --metrics-address}; every file is read once, then again
 * through a second mount on the same cache.
 */
@Tag("fuse")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsMountIT {
  static final String FQRN = "metrics.e2e.local";
  static final int FILES = 6;
  static final String P = "cvmfsthin_";

  Path work;
  Path keys;
  NginxStratum stratum;
  final List<byte[]> contents = new ArrayList<>();

  @BeforeAll
  void start() throws IOException {
    assertThat(Path.of("/dev/fuse")).as("needs /dev/fuse").exists();
    assertThat(jar()).as("the shaded jar (mvn -am verify packages it)").exists();
    work = WorkDirs.create(getClass());
    Path storage = work.resolve("stratum");
    keys = work.resolve("keys");
    Cli.createRepository(storage, keys, FQRN);
    Path src = Files.createDirectories(work.resolve("src/files"));
    Random random = new Random(15);
    for (int i = 0; i < FILES; i++) {
      byte[] b = new byte[20_000 + 7_000 * i]; // below the chunk size: one object per file
      random.nextBytes(b);
      contents.add(b);
      Files.write(src.resolve("f" + i), b);
    }
    Cli.run(
        "repo",
        "publish",
        "--storage",
        storage.toString(),
        "--keys",
        keys.toString(),
        FQRN,
        work.resolve("src").toString());
    stratum = new NginxStratum(work.resolve("nginx"), storage).start();
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, stratum);
  }

  static Path jar() {
    return PluginDaemon.projectRoot().resolve("plugin/target/cvmfs-thin.jar");
  }

  @ParameterizedTest
  @ValueSource(strings = {"libfuse", "kernel"})
  void knownReads_metricsEqualTheStratumLog_thenASecondMountHitsTheCache(String transport)
      throws Exception {
    Path cache = work.resolve("cache-" + transport);
    String address = "127.0.0.1:" + LocalRegistry.freePort();
    int before = stratum.requests().size();
    List<Sample> first;
    try (MountProcess m = mount(transport, cache, address)) {
      readAll(m.mnt);
      first = MetricsEndpoint.scrape(address);
      assertThat(Main.run("stats", "--address", address)).as("stats against the mount").isZero();
    }
    List<NginxStratum.Request> log = stratum.requestsSince(before);
    assertThat(log).isNotEmpty().allMatch(r -> r.status() == 200, "every request answered 200");
    String server = stratum.serverUrl().replace("@fqrn@", FQRN);
    assertThat(sum(first, P + "fetch_objects_total", s -> s.label("server").equals(server)))
        .as("objects fetched = requests nginx logged")
        .isEqualTo(log.size());
    assertThat(sum(first, P + "fetch_objects_total")).isEqualTo(log.size());
    assertThat(sum(first, P + "fetch_bytes_total"))
        .as("bytes fetched = bytes nginx sent")
        .isEqualTo(log.stream().mapToLong(NginxStratum.Request::bytes).sum());
    assertThat(sum(first, P + "fetch_duration_seconds_count")).isEqualTo(log.size());
    long objectRequests = log.stream().filter(r -> r.path().contains("/data/")).count();
    assertThat(objectRequests).isGreaterThanOrEqualTo(FILES);
    assertThat(sum(first, P + "cache_misses_total"))
        .as("each cache miss fetched one object of data/")
        .isEqualTo(cacheMisses(log));
    assertThat(sum(first, P + "fetch_server_errors_total")).isZero();
    assertThat(sum(first, P + "fetch_failures_total")).isZero();
    assertThat(sum(first, P + "mounted_repositories")).isEqualTo(1);
    // over the kernel transport with passthrough (kernel 6.9+), reads of a cached file never
    // reach the process: only lookups and opens are sure to
    List<String> ops =
        transport.equals("kernel")
            ? List.of("getattr", "open")
            : List.of("getattr", "open", "read");
    for (String op : ops) {
      assertThat(
              sum(
                  first,
                  P + "fuse_request_duration_seconds_count",
                  s -> s.label("operation").equals(op) && s.label("transport").equals(transport)))
          .as(op + " requests over " + transport)
          .isPositive();
    }
    assertThat(sum(first, P + "cache_used_bytes")).isPositive();

    int between = stratum.requests().size();
    List<Sample> second;
    try (MountProcess m = mount(transport, cache, address)) {
      readAll(m.mnt);
      second = MetricsEndpoint.scrape(address);
    }
    List<NginxStratum.Request> again = stratum.requestsSince(between);
    assertThat(cacheMisses(again)).as("no cached object fetched again: " + again).isZero();
    assertThat(sum(second, P + "fetch_objects_total")).isEqualTo(again.size());
    assertThat(sum(second, P + "fetch_bytes_total"))
        .isEqualTo(again.stream().mapToLong(NginxStratum.Request::bytes).sum());
    assertThat(sum(second, P + "cache_misses_total")).isZero();
    assertThat(sum(second, P + "cache_hits_total"))
        .as("every file's object came from the cache")
        .isGreaterThanOrEqualTo(FILES);
  }

  @Test
  void withoutTheOption_theMountListensOnNoPort() throws Exception {
    try (MountProcess m = mount("libfuse", work.resolve("cache-off"), null)) {
      readAll(m.mnt);
      assertThat(MetricsEndpoint.listeningPorts(m.process.pid())).isEmpty();
      assertThatThrownBy(() -> MetricsEndpoint.scrape("127.0.0.1:" + LocalRegistry.freePort()))
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void nonLoopbackAddress_isRefusedAndNothingIsMounted() throws Exception {
    Path mnt = work.resolve("mnt-refused");
    Process p = mountCommand("libfuse", work.resolve("cache-refused"), "0.0.0.0:9723", mnt).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isNotZero();
    assertThat(Files.readString(work.resolve("mount-mnt-refused.log")))
        .contains("'0.0.0.0:9723'", "not a loopback address");
    assertThat(Mounts.below(work)).doesNotContain(mnt);
  }

  /**
   * The cache misses the requests of {@code log} imply: each object of data/ fetched once, except
   * the certificate, which the trust check fetches outside the cache.
   */
  static long cacheMisses(List<NginxStratum.Request> log) {
    return log.stream().filter(r -> r.path().contains("/data/") && !r.path().endsWith("X")).count();
  }

  void readAll(Path mnt) throws IOException {
    for (int i = 0; i < FILES; i++) {
      assertThat(Files.readAllBytes(mnt.resolve("files/f" + i))).isEqualTo(contents.get(i));
    }
  }

  ProcessBuilder mountCommand(String transport, Path cache, String metricsAddress, Path mnt) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-jar", jar().toString(), "mount", "--transport", transport));
    cmd.addAll(List.of("--url", stratum.serverUrl()));
    cmd.addAll(List.of("--key", keys.resolve(FQRN + ".pub").toString()));
    cmd.addAll(List.of("--cache", cache.toString()));
    if (metricsAddress != null) {
      cmd.addAll(List.of("--metrics-address", metricsAddress));
    }
    cmd.addAll(List.of(FQRN, mnt.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("METRICS_ADDRESS");
    pb.redirectErrorStream(true);
    pb.redirectOutput(work.resolve("mount-" + mnt.getFileName() + ".log").toFile());
    return pb;
  }

  /** Starts the command and waits until the repository is mounted and the endpoint answers. */
  MountProcess mount(String transport, Path cache, String metricsAddress) throws Exception {
    Path mnt = work.resolve("mnt-" + transport + "-" + System.nanoTime());
    Process p = mountCommand(transport, cache, metricsAddress, mnt).start();
    MountProcess m = new MountProcess(p, mnt);
    try {
      for (int i = 0; i < 300 && !Mounts.below(work).contains(mnt); i++) {
        assertThat(p.isAlive()).as("mount command exited early, see its log").isTrue();
        Thread.sleep(100);
      }
      assertThat(Mounts.below(work)).as("mounted within 30 s").contains(mnt);
      return m;
    } catch (Exception | AssertionError e) {
      m.close();
      throw e;
    }
  }

  /** {@code cvmfs-thin mount} as a process; close sends SIGTERM and waits for the unmount. */
  static final class MountProcess implements AutoCloseable {
    final Process process;
    final Path mnt;

    MountProcess(Process process, Path mnt) {
      this.process = process;
      this.mnt = mnt;
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      Mounts.unmountAllBelow(mnt);
    }
  }
}
