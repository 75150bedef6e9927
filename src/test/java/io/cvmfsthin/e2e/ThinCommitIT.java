package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker commit and docker build above thin images (issue 7, thin-image.md §6.3): the plugin on the
 * first daemon publishes committed layers into the repository that nginx serves, so committed and
 * built images are thin; a second daemon with the plugin (no publisher) pulls and runs them. The
 * same changes made under built-in overlay2 give the reference tree.
 */
@Tag("registry")
@Tag("docker")
@Tag("fuse")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThinCommitIT {
  static final String FQRN = "commit.e2e.local";
  static final String CHANGES =
      "echo new > /created && echo changed > /data/keep/a && rm /data/gone/b"
          + " && rm -rf /opq && mkdir /opq && echo fresh > /opq/fresh && rm -rf /emptied/*"
          + " && chmod 700 /data/keep";

  /** Bytes a thin layer may take in the registry or a save archive (thin.json, gzipped). */
  static final long TINY = 4096;

  Path work;
  Path publish;
  LocalRegistry registry;
  NginxStratum stratum;
  PrivateDockerd reference;
  PluginDaemon publishing;
  PluginDaemon consumer;
  PrivateDockerd docker;
  String source;
  String thin;
  String committed;

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
            + "RUN mkdir -p /data/keep /data/gone /opq /emptied && echo a > /data/keep/a"
            + " && echo b > /data/gone/b && echo 1 > /opq/old && echo x > /emptied/x"
            + " && echo y > /emptied/y\n");
    source = registry.address() + "/e2e/commit-src:1";
    TestImages.build(reference, ctx, source);
    reference.dockerOk("push", source);
    Cli.convert(source, storage, keys, FQRN);
    thin = registry.address() + "/e2e/commit-src_thin:1";
    committed = registry.address() + "/e2e/committed:1";

    // Recorded prefetch off: a recording published a few seconds after a container stopped is a
    // revision these tests would see ("nothing published" would race with it).
    publishing =
        PluginDaemon.start(
            work.resolve("plugin"),
            List.of(
                "cvmfs-publish.source=" + publish,
                "PUBLISH_REPOSITORY=" + FQRN,
                "PREFETCH_PARALLEL=0"));
    configure(publishing, keys);
    docker = publishing.docker();
    docker.dockerOk("pull", thin);
  }

  void configure(PluginDaemon d, Path keys) throws IOException {
    d.configureRepository(FQRN, keys.resolve(FQRN + ".pub"), stratum.serverUrl());
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, consumer, publishing, reference, stratum, registry);
  }

  long revision() throws IOException {
    return RepositoryPublisher.open(publish.resolve("stratum"), publish.resolve("keys"), FQRN)
        .manifest()
        .revision();
  }

  String rootfsLayers(PrivateDockerd d, String image) {
    return d.dockerOk("image", "inspect", "--format", "{{json .RootFS.Layers}}", image);
  }

  long imageSize(PrivateDockerd d, String image) {
    return Long.parseLong(d.dockerOk("image", "inspect", "--format", "{{.Size}}", image));
  }

  @Test
  @Order(1)
  void commit_keepsEveryChangeAndTheCommittedImageIsThin() throws IOException {
    long before = revision();
    docker.dockerOk("run", "--name", "c1", "--network", "none", thin, "sh", "-c", CHANGES);
    long t0 = System.nanoTime();
    docker.dockerOk("commit", "c1", committed);
    long thinCommit = System.nanoTime() - t0;
    assertThat(revision()).as("the container's layer was published").isGreaterThan(before);

    // the same changes under built-in overlay2 give the reference tree
    reference.dockerOk("run", "--name", "r1", "--network", "none", source, "sh", "-c", CHANGES);
    t0 = System.nanoTime();
    reference.dockerOk("commit", "r1", committed);
    System.out.printf(
        "[measure] docker commit: %d ms publishing thin, %d ms under overlay2%n",
        thinCommit / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
    assertThat(PluginOrdinaryImagesIT.exportOf(docker, committed))
        .isEqualTo(PluginOrdinaryImagesIT.exportOf(reference, committed));
    String out =
        docker.dockerOk(
            "run",
            "--rm",
            "--network",
            "none",
            committed,
            "sh",
            "-c",
            "cat /created /data/keep/a; ls /opq; ls -A /emptied | wc -l;"
                + " test -e /data/gone/b || echo deleted; stat -c %a /data/keep");
    assertThat(out.lines()).containsExactly("new", "changed", "fresh", "0", "deleted", "700");
    assertThat(imageSize(docker, committed))
        .as("two thin.json layers, not the image's content")
        .isLessThan(2 * TINY);
  }

  @Test
  @Order(2)
  void commitAgain_publishesNothingAndGivesTheSameLayer() throws IOException {
    long before = revision();
    String again = registry.address() + "/e2e/committed-again:1";
    docker.dockerOk("commit", "c1", again);
    assertThat(revision()).isEqualTo(before);
    assertThat(rootfsLayers(docker, again)).isEqualTo(rootfsLayers(docker, committed));
  }

  @Test
  @Order(3)
  void pushThenPullOnAnotherDaemon_movesOnlyTinyLayersAndRuns() throws Exception {
    docker.dockerOk("push", committed);
    for (long size : pushedLayerSizes("e2e/committed", "1")) {
      assertThat(size).as("a pushed layer of the committed image").isLessThan(TINY);
    }
    consumer = PluginDaemon.start(work.resolve("consumer"), List.of());
    configure(consumer, publish.resolve("keys"));
    PrivateDockerd other = consumer.docker();
    other.dockerOk("pull", committed);
    String out =
        other.dockerOk(
            "run",
            "--rm",
            "--network",
            "none",
            committed,
            "sh",
            "-c",
            "cat /created /data/keep/a; ls /opq; test -e /data/gone/b || echo deleted");
    assertThat(out.lines()).containsExactly("new", "changed", "fresh", "deleted");
    assertThat(PluginOrdinaryImagesIT.exportOf(other, committed))
        .isEqualTo(PluginOrdinaryImagesIT.exportOf(reference, committed));
  }

  List<Long> pushedLayerSizes(String repository, String tag) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + registry.address()
                                + "/v2/"
                                + repository
                                + "/manifests/"
                                + tag))
                    .header(
                        "Accept",
                        "application/vnd.docker.distribution.manifest.v2+json,"
                            + " application/vnd.oci.image.manifest.v1+json")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    List<Long> sizes = new ArrayList<>();
    for (JsonNode layer : new ObjectMapper().readTree(r.body()).get("layers")) {
      sizes.add(layer.get("size").asLong());
    }
    assertThat(sizes).isNotEmpty();
    return sizes;
  }

  @Test
  @Order(4)
  void saveAndLoad_keepTheCommittedImageThinAndRunnable() throws IOException {
    Path archive = work.resolve("committed.tar");
    docker
        .docker(null, Duration.ofMinutes(5), "save", "-o", archive.toString(), committed)
        .orThrow();
    Map<String, Long> layers = layerTars(archive);
    assertThat(layers).hasSize(2);
    assertThat(layers.values()).allMatch(size -> size < TINY);
    assertThat(new ObjectMapper().readTree(topThinJson(archive)).get("layers"))
        .as("the source's two layers, then the container's")
        .hasSize(3);
    docker.dockerOk("rmi", committed, registry.address() + "/e2e/committed-again:1");
    docker.dockerOk("rm", "c1");
    docker.dockerOk("rmi", thin);
    docker.dockerOk("load", "-i", archive.toString());
    assertThat(
            docker.dockerOk(
                "run", "--rm", "--network", "none", committed, "cat", "/created", "/opq/fresh"))
        .isEqualTo("new\nfresh");
  }

  static Map<String, Long> layerTars(Path archive) throws IOException {
    Map<String, Long> sizes = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.getName().endsWith("/layer.tar") && e.isFile()) {
          sizes.put(e.getName(), e.getSize());
        }
      }
    }
    return sizes;
  }

  @Test
  @Order(5)
  void build_fromThinWithCopyAndRun_isThinAndRuns() throws IOException {
    docker.dockerOk("pull", thin);
    Path ctx = Files.createDirectories(work.resolve("build-ctx"));
    Files.writeString(ctx.resolve("copied.txt"), "copied\n");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + thin
            + "\nCOPY copied.txt /copied.txt\n"
            + "RUN echo ran > /ran && rm /data/keep/a && rm -rf /emptied\n");
    String built = "test/built-on-thin:1";
    TestImages.build(docker, ctx, built);
    String out =
        docker.dockerOk(
            "run",
            "--rm",
            "--network",
            "none",
            built,
            "sh",
            "-c",
            "cat /copied.txt /ran; test -e /data/keep/a || echo a-deleted;"
                + " test -e /emptied || echo dir-deleted; cat /data/gone/b");
    assertThat(out.lines()).containsExactly("copied", "ran", "a-deleted", "dir-deleted", "b");
    assertThat(imageSize(docker, built)).as("three thin.json layers").isLessThan(3 * TINY);
  }

  @Test
  @Order(6)
  void build_fromAnEmptyThinImageWithAddAndRun_isThinAndRuns() throws IOException {
    Path ctx = Files.createDirectories(work.resolve("scratch-ctx"));
    Path scratch = work.resolve("thin-scratch.tar");
    try (var out = Files.newOutputStream(scratch);
        var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
      byte[] json =
          "{\n  \"version\": \"1.0\",\n  \"layers\": []\n}".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry("thin.json");
      e.setSize(json.length);
      e.setMode(0100644);
      tar.putArchiveEntry(e);
      tar.write(json);
      tar.closeArchiveEntry();
    }
    docker.dockerOk("import", scratch.toString(), "test/thin-scratch:1");
    Files.copy(
        TestImages.busyboxRootfsTar(work.resolve("scratch-rootfs")), ctx.resolve("rootfs.tar"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM test/thin-scratch:1\nADD rootfs.tar /\nRUN echo hello > /something\n");
    String built = "test/built-on-scratch:1";
    TestImages.build(docker, ctx, built);
    assertThat(docker.dockerOk("run", "--rm", "--network", "none", built, "cat", "/something"))
        .isEqualTo("hello");
    long busybox = Files.size(Path.of("/bin/busybox"));
    assertThat(imageSize(docker, built))
        .as("busybox (%d bytes) lives in CVMFS, not in the image", busybox)
        .isLessThan(3 * TINY);
  }

  @Test
  @Order(7)
  void withoutPublisher_aCommitAboveAThinImageIsAnOrdinaryLayerAndRuns() throws IOException {
    PrivateDockerd other = consumer.docker();
    other.dockerOk("pull", thin);
    other.dockerOk(
        "run", "--name", "c2", "--network", "none", thin, "sh", "-c", "echo plain > /plain");
    long before = revision();
    other.dockerOk("commit", "c2", "test/plain-commit:1");
    assertThat(revision()).as("nothing published").isEqualTo(before);
    assertThat(
            other.dockerOk(
                "run",
                "--rm",
                "--network",
                "none",
                "test/plain-commit:1",
                "cat",
                "/plain",
                "/data/gone/b"))
        .isEqualTo("plain\nb");
    String layers = rootfsLayers(other, "test/plain-commit:1");
    assertThat(layers.split(",")).as("the thin layer plus one ordinary layer").hasSize(2);
  }

  @Test
  @Order(8)
  void commitAboveAnOrdinaryLayerAboveThin_publishesThatLayerToo() throws IOException {
    Path archive = work.resolve("plain-commit.tar");
    consumer
        .docker()
        .docker(
            null, Duration.ofMinutes(5), "save", "-o", archive.toString(), "test/plain-commit:1")
        .orThrow();
    docker.dockerOk("load", "-i", archive.toString());
    docker.dockerOk(
        "run",
        "--name",
        "c3",
        "--network",
        "none",
        "test/plain-commit:1",
        "sh",
        "-c",
        "echo top > /top && rm /plain");
    long before = revision();
    docker.dockerOk("commit", "c3", "test/over-plain:1");
    assertThat(revision())
        .as("the ordinary layer and the container's, in one revision")
        .isEqualTo(before + 1);
    assertThat(
            docker.dockerOk(
                "run",
                "--rm",
                "--network",
                "none",
                "test/over-plain:1",
                "sh",
                "-c",
                "cat /top; test -e /plain || echo plain-deleted"))
        .isEqualTo("top\nplain-deleted");
    // the new top layer alone describes the image: save it and look at its thin.json
    Path saved = work.resolve("over-plain.tar");
    docker
        .docker(null, Duration.ofMinutes(5), "save", "-o", saved.toString(), "test/over-plain:1")
        .orThrow();
    JsonNode descriptor = new ObjectMapper().readTree(topThinJson(saved));
    assertThat(descriptor.get("layers"))
        .as("the source's two layers, the ordinary one, the container's")
        .hasSize(4);
  }

  /** The thin.json in the top layer of a {@code docker save} archive. */
  static byte[] topThinJson(Path archive) throws IOException {
    String top = null;
    try (InputStream in = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.getName().equals("manifest.json")) {
          JsonNode layers = new ObjectMapper().readTree(tar.readAllBytes()).get(0).get("Layers");
          top = layers.get(layers.size() - 1).asText();
        }
      }
    }
    assertThat(top).as("manifest.json in the archive").isNotNull();
    try (InputStream in = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.getName().equals(top)) {
          TarArchiveInputStream layer = new TarArchiveInputStream(tar);
          TarArchiveEntry only = layer.getNextEntry();
          assertThat(only.getName()).isEqualTo("thin.json");
          return layer.readAllBytes();
        }
      }
    }
    throw new AssertionError(top + " not in " + archive);
  }
}
