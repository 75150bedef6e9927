package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.Mounts;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Thin images end to end: an image built under overlay2 and pushed to a real registry is converted
 * into a CernVM-FS repository served by nginx; a dockerd whose storage driver is the plugin pulls
 * the thin image and runs it, reading files lazily through the FUSE client.
 */
@Tag("registry")
@Tag("docker")
@Tag("fuse")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThinImagesIT {
  static final String FQRN = "thin.e2e.local";
  static final int BLOBS = 8;
  static final int BLOB_BYTES = 2 * 1024 * 1024;

  Path work;
  LocalRegistry registry;
  NginxStratum stratum;
  PrivateDockerd reference;
  PluginDaemon daemon;
  PrivateDockerd docker;
  String source;
  String thin;

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
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile());
    source = registry.address() + "/e2e/app:1";
    TestImages.build(reference, ctx, source);
    reference.dockerOk("push", source);
    Cli.convert(source, storage, keys, FQRN);
    thin = registry.address() + "/e2e/app_thin:1";

    daemon = PluginDaemon.start(work.resolve("plugin"), List.of());
    docker = daemon.docker();
    daemon.configureRepository(FQRN, keys.resolve(FQRN + ".pub"), stratum.serverUrl());
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, daemon, reference, stratum, registry);
  }

  static String dockerfile() {
    return String.join(
        "\n",
        "FROM test/base:1",
        "RUN mkdir -p /data/keep /data/gone /opq && echo needed > /data/needed.txt"
            + " && echo b > /data/gone/b && echo 1 > /opq/old && echo a > /data/keep/a"
            + " && mkfifo /fifo1 && mknod /chardev c 1 3 && echo s > /suid && chmod 4755 /suid"
            + " && ln /data/keep/a /data/keep/hard && chown 1000:1000 /data/keep/a",
        "RUN for i in $(seq "
            + BLOBS
            + "); do dd if=/dev/urandom of=/data/blob-$i bs="
            + BLOB_BYTES
            + " count=1 2>/dev/null; done",
        "RUN rm -rf /data/gone /opq && mkdir /opq && echo 2 > /opq/new",
        "");
  }

  @Test
  @Order(1)
  void pull_movesOnlyTheThinLayer() {
    docker.dockerOk("pull", thin);
    long size = Long.parseLong(docker.dockerOk("image", "inspect", "--format", "{{.Size}}", thin));
    assertThat(size).as("bytes of the thin image as stored").isLessThan(4096);
    String env = docker.dockerOk("image", "inspect", "--format", "{{json .Config.Env}}", thin);
    assertThat(env).contains("CVMFS_IMAGE=true");
  }

  @Test
  @Order(2)
  void run_readsOnlyTheFilesItUses() throws IOException {
    int before = stratum.requests().size();
    String out =
        docker.dockerOk("run", "--rm", "--network", "none", thin, "cat", "/data/needed.txt");
    assertThat(out).isEqualTo("needed");
    List<NginxStratum.Request> fetched = stratum.requestsSince(before);
    long dataBytes =
        fetched.stream().filter(r -> r.path().contains("/data/")).mapToLong(r -> r.bytes()).sum();
    System.out.printf(
        "[measure] thin run: %d requests, %d bytes of objects fetched; the image holds %d bytes"
            + " of random blobs%n",
        fetched.size(), dataBytes, (long) BLOBS * BLOB_BYTES);
    assertThat(fetched).allMatch(r -> r.status() == 200 || r.status() == 304);
    // busybox (about 1 MiB compressed) and a few catalogs; never one of the 2 MiB blobs
    assertThat(dataBytes).isLessThan(3L * 1024 * 1024);
    assertThat(fetched.stream().filter(r -> r.bytes() >= BLOB_BYTES)).isEmpty();
  }

  @Test
  @Order(3)
  void export_equalsTheSourceImageUnderOverlay2() throws IOException {
    assertThat(PluginOrdinaryImagesIT.exportOf(docker, thin))
        .isEqualTo(PluginOrdinaryImagesIT.exportOf(reference, source));
  }

  @Test
  @Order(4)
  void twoContainers_shareOneMountWhichGoesWithTheLast() throws Exception {
    String a = docker.dockerOk("run", "-d", "--network", "none", thin, "sleep", "300");
    String b = docker.dockerOk("run", "-d", "--network", "none", thin, "sleep", "300");
    assertThat(docker.dockerOk("exec", a, "cat", "/opq/new")).isEqualTo("2");
    assertThat(docker.dockerOk("exec", b, "ls", "/opq")).isEqualTo("new");
    assertThat(repositoryMounts()).isNotEmpty();
    docker.dockerOk("rm", "-f", a);
    assertThat(repositoryMounts()).as("still used by the second container").isNotEmpty();
    docker.dockerOk("rm", "-f", b);
    waitFor(() -> repositoryMounts().isEmpty(), Duration.ofSeconds(20));
    assertThat(repositoryMounts()).as("released and unmounted after the last container").isEmpty();
  }

  @Test
  @Order(5)
  void daemonRestart_thinImageStillRuns() {
    docker.stop();
    assertThat(repositoryMounts()).isEmpty();
    try {
      docker.start(PluginDaemon.PLUGIN);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    assertThat(docker.dockerOk("run", "--rm", "--network", "none", thin, "cat", "/data/keep/a"))
        .isEqualTo("a");
  }

  @Test
  @Order(6)
  void pluginKilled_restartedPluginRunsThinContainersWithoutLeakingMounts() throws Exception {
    String a = docker.dockerOk("run", "-d", "--network", "none", thin, "sleep", "300");
    docker.dockerOk("rm", "-f", a);
    List<Long> pids = daemon.pluginPids();
    assertThat(pids).hasSize(1);
    Cmd.run("kill", "-9", String.valueOf(pids.get(0))).orThrow();
    waitFor(
        () -> !daemon.pluginPids().isEmpty() && !daemon.pluginPids().equals(pids),
        Duration.ofSeconds(60));
    String out = "";
    for (int i = 0; i < 60 && out.isEmpty(); i++) {
      Cmd.Result r = docker.docker("run", "--rm", "--network", "none", thin, "cat", "/opq/new");
      out = r.exit() == 0 ? r.stdout().strip() : "";
      if (out.isEmpty()) {
        Thread.sleep(500);
      }
    }
    assertThat(out).isEqualTo("2");
    waitFor(() -> repositoryMounts().isEmpty(), Duration.ofSeconds(20));
    assertThat(repositoryMounts()).isEmpty();
  }

  List<Path> repositoryMounts() {
    return Mounts.below(daemon.propagatedMount()).stream()
        .filter(p -> p.toString().contains("/cvmfs/" + FQRN))
        .toList();
  }

  static void waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end && !condition.getAsBoolean()) {
      Thread.sleep(250);
    }
  }
}
