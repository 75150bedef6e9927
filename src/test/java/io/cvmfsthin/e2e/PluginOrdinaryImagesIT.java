package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.DockerArchive;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.Mounts;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TarListing;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Ordinary images under a real dockerd 20.10 whose storage driver is the plugin, installed as a
 * user installs it; every outcome compared with what the built-in overlay2 makes of the same image.
 */
@Tag("registry")
@Tag("docker")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PluginOrdinaryImagesIT {
  Path work;

  PluginDaemon daemon;
  PrivateDockerd docker;
  PrivateDockerd reference;
  LocalRegistry registry;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    daemon = PluginDaemon.start(work.resolve("plugin"), List.of());
    docker = daemon.docker();
    reference = new PrivateDockerd(work.resolve("overlay2")).start("overlay2");
    registry = new LocalRegistry(work.resolve("registry")).start();
    System.out.printf(
        "[measure] dockerd with the plugin ready after %d ms; overlay2 dockerd after %d ms%n",
        daemon.readyAfter().toMillis(), reference.lastStartDuration().toMillis());
    for (PrivateDockerd d : List.of(docker, reference)) {
      TestImages.importBusybox(
          d, work.resolve("img-" + d.storageDriver().replace('/', '-')), "test/base:1");
      Path ctx =
          Files.createDirectories(work.resolve("ctx-" + d.storageDriver().replace('/', '-')));
      Files.writeString(ctx.resolve("Dockerfile"), CORNERS_DOCKERFILE);
      TestImages.build(d, ctx, "test/corners:1");
    }
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, registry, reference, daemon);
  }

  /** Deletions, an opaque dir, a dir deleted and recreated, hardlinks, devices, fifos, setuid. */
  static final String CORNERS_DOCKERFILE =
      String.join(
          "\n",
          "FROM test/base:1",
          "RUN mkdir -p /data/keep /data/gone /opq /again && echo a > /data/keep/a"
              + " && echo b > /data/gone/b && echo 1 > /opq/old && echo 2 > /opq/old2"
              + " && echo f > /tmp/f && echo x > /again/x"
              + " && mkfifo /fifo1 && mknod /chardev c 1 3 && mknod /blockdev b 7 200"
              + " && echo s > /suid && chmod 4755 /suid && chmod 2750 /data/keep"
              + " && ln /data/keep/a /hardlink-a && ln -s /data/keep/a /symlink-a"
              + " && chown 1000:1000 /data/keep/a && chown -h 33:33 /symlink-a",
          "RUN rm -rf /data/gone /tmp/f /opq && mkdir /opq && echo 3 > /opq/new"
              + " && rm -rf /again && mkdir /again && echo y > /again/y"
              + " && ln /data/keep/a /data/keep/a-link2"
              + " && truncate -s 64M /sparse"
              + " && echo long > /"
              + "n".repeat(200),
          "RUN true",
          "");

  @Test
  @Order(1)
  void info_showsThePluginAsStorageDriver() {
    String info = docker.dockerOk("info", "--format", "{{.Driver}} {{json .DriverStatus}}");
    assertThat(info).startsWith(PluginDaemon.PLUGIN + " ").contains("Backing Filesystem");
  }

  @Test
  @Order(2)
  void run_seesTheSameTreeAsUnderOverlay2() throws IOException {
    String script =
        "cat /data/keep/a /again/y /opq/new; ls /opq /again /data; stat -c '%a %u:%g %h' /suid /data/keep /data/keep/a /fifo1";
    String plugin =
        docker.dockerOk("run", "--rm", "--network", "none", "test/corners:1", "sh", "-c", script);
    String overlay =
        reference.dockerOk(
            "run", "--rm", "--network", "none", "test/corners:1", "sh", "-c", script);
    assertThat(plugin)
        .isEqualTo(overlay)
        .contains("new")
        .doesNotContain("old2")
        .doesNotContain("gone");
  }

  @Test
  @Order(3)
  void export_equalsOverlay2sExport() throws IOException {
    assertThat(exportOf(docker, "test/corners:1")).isEqualTo(exportOf(reference, "test/corners:1"));
  }

  @Test
  @Order(4)
  void diffAndCommit_keepChangesAndDeletions() throws IOException {
    docker.dockerOk(
        "run",
        "--name",
        "c1",
        "--network",
        "none",
        "test/corners:1",
        "sh",
        "-c",
        "echo z > /newfile && rm /data/keep/a-link2 && rm -rf /opq && echo m >> /suid");
    String diff = docker.dockerOk("diff", "c1");
    assertThat(diff.lines()).contains("A /newfile", "D /opq", "C /suid", "D /data/keep/a-link2");
    docker.dockerOk("commit", "c1", "test/committed:1");
    String out =
        docker.dockerOk(
            "run",
            "--rm",
            "--network",
            "none",
            "test/committed:1",
            "sh",
            "-c",
            "cat /newfile /suid; ls /opq 2>&1; ls /data/keep");
    assertThat(out).contains("z", "s\nm").contains("No such file").doesNotContain("a-link2");
    docker.dockerOk("rm", "c1");
  }

  @Test
  @Order(5)
  void saveLoadAndPushPull_roundTripTheImage() throws IOException {
    Path saved = work.resolve("saved.tar");
    docker.dockerOk("save", "-o", saved.toString(), "test/committed:1");
    docker.dockerOk("rmi", "test/committed:1");
    docker.dockerOk("load", "-i", saved.toString());
    String ref = registry.address() + "/test/corners:1";
    docker.dockerOk("tag", "test/corners:1", ref);
    docker.dockerOk("push", ref);
    reference.dockerOk("pull", ref);
    docker.dockerOk("rmi", ref);
    docker.dockerOk("pull", ref);
    assertThat(exportOf(docker, ref)).isEqualTo(exportOf(reference, ref));
    assertThat(
            docker.dockerOk(
                "run", "--rm", "--network", "none", "test/committed:1", "cat", "/newfile"))
        .isEqualTo("z");
  }

  @Test
  @Order(6)
  void badRequestsToTheSocket_getErrAnswersAndThePluginKeepsServing() throws IOException {
    Path socket = daemon.socket();
    assertThat(
            post(
                socket,
                "/GraphDriver.Create",
                "{\"ID\": \"x\",,}".getBytes(StandardCharsets.UTF_8),
                false))
        .startsWith("HTTP/1.1 500")
        .contains("malformed JSON");
    assertThat(
            post(
                socket,
                "/GraphDriver.Get",
                "{\"ID\":\"no-such-layer\"}".getBytes(StandardCharsets.UTF_8),
                false))
        .startsWith("HTTP/1.1 500")
        .contains("no-such-layer");
    assertThat(post(socket, "/GraphDriver.Mounted", "{}".getBytes(StandardCharsets.UTF_8), false))
        .startsWith("HTTP/1.1 404")
        .contains("unknown method");
    assertThat(
            post(
                socket,
                "/GraphDriver.Create",
                "{\"ID\":\"e2e-corrupt\"}".getBytes(StandardCharsets.UTF_8),
                false))
        .startsWith("HTTP/1.1 200");
    byte[] garbage = new byte[4096];
    new java.util.Random(1).nextBytes(garbage);
    assertThat(post(socket, "/GraphDriver.ApplyDiff?id=e2e-corrupt&parent=", garbage, true))
        .startsWith("HTTP/1.1 500")
        .contains("Err");
    post(
        socket,
        "/GraphDriver.Remove",
        "{\"ID\":\"e2e-corrupt\"}".getBytes(StandardCharsets.UTF_8),
        false);
    assertThat(
            docker.dockerOk(
                "run", "--rm", "--network", "none", "test/base:1", "echo", "still serving"))
        .isEqualTo("still serving");
  }

  @Test
  @Order(7)
  void pluginKilled_isRestartedByDockerdAndNewContainersWork() throws Exception {
    List<Long> before = daemon.pluginPids();
    assertThat(before).hasSize(1);
    long pid = before.get(0);
    String cmdline = Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline"));
    System.out.println("[e2e] killing plugin pid " + pid + ": " + cmdline.replace('\0', ' '));
    assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(cmdline).contains("cvmfs-thin.jar");
    Cmd.run("kill", "-9", String.valueOf(pid)).orThrow();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<Long> after = List.of();
    while (System.nanoTime() < deadline) {
      after = daemon.pluginPids();
      if (!after.isEmpty() && !after.equals(before)) {
        break;
      }
      Thread.sleep(250);
    }
    assertThat(after).hasSize(1).doesNotContainAnyElementsOf(before);
    String out = "";
    for (int i = 0; i < 40; i++) {
      Cmd.Result r =
          docker.docker(
              "run", "--rm", "--network", "none", "test/corners:1", "cat", "/data/keep/a");
      if (r.exit() == 0) {
        out = r.stdout().strip();
        break;
      }
      Thread.sleep(500);
    }
    assertThat(out).isEqualTo("a");
    assertThat(Mounts.below(daemon.propagatedMount()).stream().filter(p -> p.endsWith("merged")))
        .as("no overlay mount left behind")
        .isEmpty();
  }

  @Test
  @Order(8)
  void daemonRestart_keepsImagesAndRuns() throws IOException {
    docker.stop();
    docker.start(PluginDaemon.PLUGIN);
    assertThat(
            docker.dockerOk(
                "run", "--rm", "--network", "none", "test/corners:1", "cat", "/again/y"))
        .isEqualTo("y");
  }

  @Test
  @Order(9)
  void rmRmiAndPrune_removeLayers() throws IOException {
    docker.dockerOk("run", "--name", "c2", "--network", "none", "test/base:1", "true");
    docker.dockerOk("rm", "c2");
    docker.dockerOk("rmi", "test/committed:1");
    docker.dockerOk("system", "prune", "-a", "-f");
    assertThat(docker.dockerOk("images", "-q")).isEmpty();
    Path home = daemon.propagatedMount().resolve(PluginDaemon.PLUGIN);
    try (var layers = Files.list(home)) {
      assertThat(layers.map(p -> p.getFileName().toString()).filter(n -> n.length() == 64))
          .as("layer directories left after prune")
          .isEmpty();
    }
  }

  @Test
  @Order(10)
  void pluginPushAndInstall_fromTheRegistry() {
    // dockerd 20.10 refuses a second `plugin create` of identical content on one daemon, so the
    // publisher side runs on the overlay2 daemon; the plugin daemon installs from the registry.
    String ref = registry.address() + "/cvmfs/thin-plugin:e2e";
    Path dir = work.resolve("plugin/plugin-dir");
    reference.dockerOk("plugin", "create", ref, dir.toString());
    reference.dockerOk("plugin", "push", ref);
    reference.dockerOk("plugin", "rm", ref);
    reference.dockerOk("plugin", "install", "--grant-all-permissions", "--disable", ref);
    docker.dockerOk(
        "plugin",
        "install",
        "--grant-all-permissions",
        "--disable",
        "--alias",
        "e2e/installed",
        ref);
    for (PrivateDockerd d : List.of(reference, docker)) {
      String name = d == reference ? ref : "e2e/installed";
      String types =
          d.dockerOk("plugin", "inspect", "--format", "{{.Config.Interface.Types}}", name);
      assertThat(types).contains("docker.graphdriver/1.0");
      d.dockerOk("plugin", "rm", name);
    }
  }

  /**
   * Docker extracts a layer in a chroot of the layer directory, so overlay2 stores {@code /tmp/x},
   * {@code ../../../tmp/y} and {@code a/../../../tmp/z} inside the layer as {@code tmp/...}; the
   * plugin must load every image overlay2 loads, with the same files.
   */
  @Test
  @Order(11)
  void load_climbingAndAbsoluteNames_storesWhatOverlay2Stores() throws IOException {
    Path archive =
        new DockerArchive()
            .dir("tmp")
            .file("/tmp/x", "x")
            .file("../../../tmp/y", "y")
            .file("a/../../../tmp/z", "z")
            .hardlink("../h", "/tmp/x")
            .symlink("up", "../../../etc/passwd")
            .writeTo(work.resolve("names.tar"), "test/names:1");
    for (PrivateDockerd d : List.of(docker, reference)) {
      d.dockerOk("load", "-i", archive.toString());
    }
    Map<String, TarListing.Entry> plugin = exportOf(docker, "test/names:1");
    assertThat(plugin).isEqualTo(exportOf(reference, "test/names:1"));
    assertThat(plugin.keySet()).contains("tmp/x", "tmp/y", "tmp/z", "h", "up");
    assertThat(plugin.keySet()).noneMatch(n -> n.startsWith("a/") || n.contains(".."));
  }

  /** What overlay2 refuses, the plugin refuses too: a write through a symlink of the layer. */
  @Test
  @Order(12)
  void load_writeThroughASymlink_isRefusedLikeOverlay2() throws IOException {
    Path archive =
        new DockerArchive()
            .symlink("s", "/etc")
            .file("s/evil", "x")
            .writeTo(work.resolve("through.tar"), "test/through:1");
    Cmd.Result plugin = docker.docker("load", "-i", archive.toString());
    Cmd.Result overlay = reference.docker("load", "-i", archive.toString());
    assertThat(overlay.exit()).as(overlay.stdout() + overlay.stderr()).isNotZero();
    assertThat(plugin.exit()).isNotZero();
    assertThat(plugin.stderr()).contains("s/evil").contains("symlink");
    assertThat(docker.docker("image", "inspect", "test/through:1").exit()).isNotZero();
  }

  static Map<String, TarListing.Entry> exportOf(PrivateDockerd d, String image) throws IOException {
    String id = d.dockerOk("create", "--network", "none", image, "true");
    try {
      Path tar = Files.createTempFile("export", ".tar");
      try {
        d.docker(null, Duration.ofMinutes(5), "export", "-o", tar.toString(), id).orThrow();
        try (InputStream in = Files.newInputStream(tar)) {
          Map<String, TarListing.Entry> entries = TarListing.read(in);
          // the daemon writes these per container; their content differs by design
          entries
              .keySet()
              .removeIf(
                  n ->
                      n.equals(".dockerenv")
                          || n.startsWith("etc/hostname")
                          || n.startsWith("etc/hosts")
                          || n.startsWith("etc/resolv.conf"));
          return entries;
        }
      } finally {
        Files.deleteIfExists(tar);
      }
    } finally {
      d.dockerOk("rm", id);
    }
  }

  /** One raw HTTP request to the plugin's socket, as dockerd would send it; returns the answer. */
  static String post(Path socket, String path, byte[] body, boolean chunked) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      StringBuilder head =
          new StringBuilder(
              "POST " + path + " HTTP/1.1\r\nHost: plugin.moby.localhost\r\nConnection: close\r\n");
      byte[] payload;
      if (chunked) {
        head.append("Transfer-Encoding: chunked\r\n\r\n");
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(
            (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        payload = out.toByteArray();
      } else {
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        payload = body;
      }
      ch.write(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.US_ASCII)));
      ch.write(ByteBuffer.wrap(payload));
      InputStream in = java.nio.channels.Channels.newInputStream(ch);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
