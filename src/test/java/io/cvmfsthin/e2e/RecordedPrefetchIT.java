package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Recorded prefetch end to end (issue 12): the first run of a thin image on a plugin with a
 * publisher records the files it opens, keeps the list in the plugin's state (it survives a plugin
 * restart) and publishes it into the repository; a second plugin, with an empty cache and state,
 * finds the published list when a container of the image starts and fetches the listed files while
 * the task still sleeps, before it reads them.
 */
@Tag("registry")
@Tag("docker")
@Tag("fuse")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecordedPrefetchIT {
  static final String FQRN = "prefetch.e2e.local";
  static final int FILES = 150;
  static final String READ_ALL = "cat /data/files/* > /dev/null && echo read";

  Path work;
  Path publish;
  LocalRegistry registry;
  NginxStratum stratum;
  PrivateDockerd reference;
  PluginDaemon recording;
  PluginDaemon consumer;
  String thin;
  String chainKey;
  byte[] recorded;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    registry = new LocalRegistry(work.resolve("registry")).start();
    publish = Files.createDirectories(work.resolve("publish"));
    Path storage = publish.resolve("stratum");
    Path keys = publish.resolve("keys");
    Cli.createRepository(storage, keys, FQRN);
    stratum = new NginxStratum(work.resolve("nginx"), storage).start();

    reference = new PrivateDockerd(work.resolve("overlay2")).start("overlay2");
    TestImages.importBusybox(reference, work.resolve("img"), "test/base:1");
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM test/base:1\n"
            + "RUN mkdir -p /data/files && for i in $(seq "
            + FILES
            + "); do dd if=/dev/urandom of=/data/files/f$i bs=16384 count=1 2>/dev/null; done\n");
    String source = registry.address() + "/e2e/prefetch:1";
    TestImages.build(reference, ctx, source);
    reference.dockerOk("push", source);
    Cli.convert(source, storage, keys, FQRN);
    thin = registry.address() + "/e2e/prefetch_thin:1";

    recording =
        PluginDaemon.start(
            work.resolve("plugin"),
            List.of("cvmfs-publish.source=" + publish, "PUBLISH_REPOSITORY=" + FQRN));
    recording.configureRepository(FQRN, keys.resolve(FQRN + ".pub"), stratum.serverUrl());
    recording.docker().dockerOk("pull", thin);
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, consumer, recording, reference, stratum, registry);
  }

  static Path listDir(PluginDaemon d) {
    return d.propagatedMount().resolve(".cvmfs-thin").resolve("prefetch");
  }

  static Optional<Path> onlyList(PluginDaemon d) {
    try (Stream<Path> s = Files.list(listDir(d))) {
      List<Path> lists = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
      return lists.size() == 1 ? Optional.of(lists.get(0)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  Optional<byte[]> published(String key) throws IOException {
    AtomicReference<Optional<byte[]>> got = new AtomicReference<>(Optional.empty());
    RepositoryPublisher.open(publish.resolve("stratum"), publish.resolve("keys"), FQRN)
        .transaction(t -> got.set(t.read(PrefetchList.repositoryPath(key))));
    return got.get();
  }

  @Test
  @Order(1)
  void firstRun_recordsTheOpenedFiles_keepsAndPublishesTheList() throws Exception {
    String out =
        recording.docker().dockerOk("run", "--rm", "--network", "none", thin, "sh", "-c", READ_ALL);
    assertThat(out).isEqualTo("read");
    // the recording ends when the image's last container stopped (plus the linger time)
    Path list = waitFor(() -> onlyList(recording), Duration.ofSeconds(60));
    chainKey = list.getFileName().toString();
    recorded = Files.readAllBytes(list);
    List<String> paths = PrefetchList.read(recorded, list.toString()).list().paths();
    assertThat(paths.stream().filter(p -> p.matches("/\\.layers/.*/layerfs/data/files/f\\d+")))
        .as("the files the task read")
        .hasSize(FILES);
    assertThat(paths).allMatch(p -> p.startsWith("/.layers/"));
    byte[] pub = waitFor(() -> published(chainKey), Duration.ofSeconds(60));
    assertThat(pub).isEqualTo(recorded);
  }

  @Test
  @Order(2)
  void recordedList_survivesAPluginRestart_andIsReplayedThere() throws Exception {
    Path list = listDir(recording).resolve(chainKey);
    FileTime written = Files.getLastModifiedTime(list);
    List<Long> pids = recording.pluginPids();
    assertThat(pids).hasSize(1);
    Cmd.run("kill", "-9", String.valueOf(pids.get(0))).orThrow();
    waitFor(
        () -> Optional.of(recording.pluginPids()).filter(p -> !p.isEmpty() && !p.equals(pids)),
        Duration.ofSeconds(60));
    String out = "";
    for (int i = 0; i < 60 && out.isEmpty(); i++) {
      Cmd.Result r =
          recording.docker().docker("run", "--rm", "--network", "none", thin, "sh", "-c", READ_ALL);
      out = r.exit() == 0 ? r.stdout().strip() : "";
      if (out.isEmpty()) {
        Thread.sleep(500);
      }
    }
    assertThat(out).isEqualTo("read");
    assertThat(list).hasBinaryContent(recorded);
    assertThat(Files.getLastModifiedTime(list)).as("not recorded again").isEqualTo(written);
    assertThat(Files.readString(recording.docker().log()))
        .contains("prefetch: start for layer")
        .contains("chain " + chainKey);
  }

  @Test
  @Order(3)
  void secondPlugin_findsThePublishedList_andFetchesBeforeTheTaskReads() throws Exception {
    consumer = PluginDaemon.start(work.resolve("consumer"), List.of());
    consumer.configureRepository(
        FQRN, publish.resolve("keys").resolve(FQRN + ".pub"), stratum.serverUrl());
    PrivateDockerd docker = consumer.docker();
    docker.dockerOk("pull", thin);
    assertThat(onlyList(consumer)).as("an empty state").isEmpty();
    int mark = stratum.requests().size();
    String id =
        docker.dockerOk(
            "run", "-d", "--network", "none", thin, "sh", "-c", "sleep 10 && " + READ_ALL);
    long started = System.nanoTime();
    long objects = 0;
    while (System.nanoTime() - started < Duration.ofSeconds(8).toNanos()) {
      objects = fileObjectsSince(mark);
      if (objects >= FILES) {
        break;
      }
      Thread.sleep(100);
    }
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    System.out.printf(
        "[measure] second host: %d file objects fetched %d s after the container started,"
            + " while the task slept%n",
        objects, seconds);
    assertThat(seconds).as("seen while the task still slept (10 s)").isLessThan(9);
    assertThat(objects)
        .as("listed files fetched before the task reads them")
        .isGreaterThanOrEqualTo(FILES);
    assertThat(docker.dockerOk("wait", id)).isEqualTo("0");
    assertThat(docker.dockerOk("logs", id)).isEqualTo("read");
    assertThat(fileObjectsSince(mark)).as("the reads found everything cached").isEqualTo(objects);
    assertThat(onlyList(consumer)).as("the published list kept locally").isPresent();
    docker.dockerOk("rm", id);
  }

  long fileObjectsSince(int mark) throws IOException {
    return stratum.requestsSince(mark).stream()
        .filter(r -> r.status() == 200 && r.path().contains("/data/") && !r.path().endsWith("C"))
        .count();
  }

  /** A source that may fail or be empty until it is ready. */
  interface Probe<T> {
    Optional<T> get() throws Exception;
  }

  static <T> T waitFor(Probe<T> probe, Duration limit) throws Exception {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      Optional<T> v = probe.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("not there after " + limit);
      }
      Thread.sleep(250);
    }
  }
}
