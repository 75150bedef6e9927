package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.driver.remote.RemoteLayerIndex;
import io.cvmfsthin.driver.remote.RepositoryUnavailableException;
import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.CriContainerd;
import io.cvmfsthin.e2e.support.CvmfsConfig;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import io.cvmfsthin.plugin.LayerIndexes;
import io.cvmfsthin.plugin.Main;
import io.cvmfsthin.plugin.cri.CriImage;
import io.cvmfsthin.plugin.cri.CriImageClient;
import io.cvmfsthin.thinimage.convert.LayerLayout;
import io.cvmfsthin.thinimage.reference.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code cvmfs-thin pull} against Debian's containerd 1.6 with its CRI plugin: the image is pulled
 * as kubelet pulls it, from a real registry, unpacked by containerd's overlayfs snapshotter, and
 * each layer's snapshot carries the labels a remote snapshotter needs (layer digest, image
 * reference, {@code containerd.io/snapshot.ref}); {@code ctr image pull} of the same image gives
 * none of the CRI labels. The layer digests of those labels, looked up with the remote-layer index
 * in a repository the converter filled and nginx serves, are found at their {@code layerfs}; with
 * nginx stopped the lookup names the repository.
 */
@Tag("registry")
@Tag("containerd")
@Tag("docker")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CriPullIT {
  static final String LAYER_DIGEST = "containerd.io/snapshot/cri.layer-digest";
  static final String IMAGE_REF = "containerd.io/snapshot/cri.image-ref";
  static final String IMAGE_LAYERS = "containerd.io/snapshot/cri.image-layers";
  static final String MANIFEST_DIGEST = "containerd.io/snapshot/cri.manifest-digest";
  static final String SNAPSHOT_REF = "containerd.io/snapshot.ref";

  static final String FQRN = "layers.e2e.local";

  Path work;
  LocalRegistry registry;
  CriContainerd containerd;
  NginxStratum stratum;
  List<Map<String, String>> criLabels = List.of();
  String source;
  String pulledId;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    registry = new LocalRegistry(work.resolve("registry")).start();
    try (PrivateDockerd reference = new PrivateDockerd(work.resolve("overlay2"))) {
      reference.start("overlay2");
      TestImages.importBusybox(reference, work.resolve("img"), "test/base:1");
      Path ctx = Files.createDirectories(work.resolve("ctx"));
      Files.writeString(
          ctx.resolve("Dockerfile"),
          String.join(
              "\n",
              "FROM test/base:1",
              "RUN mkdir /data && echo hello > /data/a",
              "RUN echo world > /data/b && rm /data/a",
              ""));
      source = registry.address() + "/e2e/cri:1";
      TestImages.build(reference, ctx, source);
      reference.dockerOk("push", source);
    }
    containerd =
        new CriContainerd(work.resolve("containerd")).insecureRegistry(registry.address()).start();
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, containerd, stratum, registry);
  }

  @Test
  @Order(1)
  void pull_landsInK8sNamespaceAndPrintsTheImageId() throws IOException {
    int blobsBefore = blobGets("e2e/cri").size();
    Run run = cli("pull", "--containerd-socket", containerd.socket().toString(), source);
    assertThat(run.exit()).as(run.err()).isZero();
    pulledId = run.out().strip();
    assertThat(pulledId).matches("sha256:[0-9a-f]{64}");

    assertThat(containerd.ctrK8sOk("images", "ls", "-q").lines())
        .contains(source, pulledId)
        .anyMatch(ref -> ref.startsWith(registry.address() + "/e2e/cri@sha256:"));
    List<String> layers = manifestLayers();
    assertThat(layers).hasSize(3);
    assertThat(blobGets("e2e/cri").subList(blobsBefore, blobGets("e2e/cri").size()))
        .as("registry log: every layer blob fetched by containerd")
        .containsAll(layers);

    try (CriImageClient client =
        CriImageClient.connect(containerd.socket(), Duration.ofMinutes(1))) {
      assertThat(client.status(source)).map(CriImage::id).hasValue(pulledId);
      assertThat(client.list()).extracting(CriImage::id).contains(pulledId);
    }
  }

  @Test
  @Order(2)
  void pull_labelsEachLayersSnapshotForARemoteSnapshotter() {
    List<String> layers = manifestLayers();
    List<Map<String, String>> labelled = new ArrayList<>();
    for (String key : snapshotKeys("k8s.io")) {
      labelled.add(labels(containerd.ctrK8sOk("snapshots", "info", key)));
    }
    System.out.println("[cri labels] " + labelled);
    criLabels = labelled;
    assertThat(labelled).hasSize(3);
    assertThat(labelled)
        .extracting(l -> l.get(LAYER_DIGEST))
        .containsExactlyInAnyOrderElementsOf(layers);
    assertThat(labelled)
        .allSatisfy(
            l -> {
              assertThat(l.get(IMAGE_REF)).isEqualTo(source);
              assertThat(l.get(SNAPSHOT_REF)).startsWith("sha256:");
              assertThat(l.get(IMAGE_LAYERS)).startsWith(l.get(LAYER_DIGEST));
              assertThat(l.get(MANIFEST_DIGEST)).startsWith("sha256:");
            });
  }

  @Test
  @Order(3)
  void ctrPull_ofTheSameImage_givesNoCriLabels() {
    containerd.ctr("-n", "plain", "images", "pull", "--plain-http", source).orThrow();
    List<String> keys = snapshotKeys("plain");
    assertThat(keys).hasSize(3);
    for (String key : keys) {
      Map<String, String> l =
          labels(containerd.ctr("-n", "plain", "snapshots", "info", key).orThrow().stdout());
      System.out.println("[ctr pull labels] " + key + " " + l);
      // ctr 1.6 unpacks after the fetch, without the unpacker's labels: not even snapshot.ref
      assertThat(l).doesNotContainKeys(LAYER_DIGEST, IMAGE_REF, SNAPSHOT_REF);
    }
  }

  @Test
  @Order(4)
  void pull_ofAnImageTheRegistryLacks_failsNamingIt() {
    String missing = registry.address() + "/e2e/missing:1";
    Run run = cli("pull", "--containerd-socket", containerd.socket().toString(), missing);
    assertThat(run.exit()).isNotZero();
    assertThat(run.err()).contains("PullImage " + missing).containsIgnoringCase("not found");
  }

  @Test
  @Order(5)
  void pull_withNoContainerdOnTheSocket_failsNamingTheSocket() {
    Path nobody = work.resolve("nobody.sock");
    Run run = cli("pull", "--containerd-socket", nobody.toString(), source);
    assertThat(run.exit()).isNotZero();
    assertThat(run.err()).contains(nobody.toString()).contains("nothing answers");
  }

  @Test
  @Order(6)
  void criLayerDigests_areFoundInARepositoryTheConverterFilled() throws IOException {
    assertThat(criLabels).as("labels of test 2").hasSize(3);
    Path storage = work.resolve("stratum");
    Path keys = work.resolve("keys");
    Cli.createRepository(storage, keys, FQRN);
    Cli.convert(source, storage, keys, FQRN);
    stratum = new NginxStratum(work.resolve("nginx"), storage).start();
    Path etc =
        CvmfsConfig.add(
            work.resolve("etc-cvmfs"), FQRN, keys.resolve(FQRN + ".pub"), stratum.serverUrl());
    Files.writeString(etc.resolve("default.local"), RemoteLayerIndex.SETTING + "=" + FQRN + "\n");

    try (RemoteLayerIndex index = LayerIndexes.open(work.resolve("index-1"), etc, Map.of())) {
      for (Map<String, String> l : criLabels) {
        Digest layer = Digest.parse(l.get(LAYER_DIGEST));
        assertThat(index.find(layer.toString()))
            .as("the label containerd gives the snapshotter, looked up in " + FQRN)
            .hasValue(LayerLayout.url(FQRN, layer));
      }
      assertThat(index.find(Digest.of("never converted".getBytes()).toString())).isEmpty();
    }
    assertThat(stratum.requests())
        .as("catalogs read over HTTP from the stratum, no mount")
        .anyMatch(r -> r.path().endsWith("/.cvmfspublished") && r.status() == 200);

    stratum.close();
    try (RemoteLayerIndex index = LayerIndexes.open(work.resolve("index-2"), etc, Map.of())) {
      assertThatThrownBy(() -> index.find(criLabels.get(0).get(LAYER_DIGEST)))
          .as("the stratum is down")
          .isInstanceOf(RepositoryUnavailableException.class)
          .hasMessageContaining("repository " + FQRN + " unavailable");
    }
  }

  // ---------------------------------------------------------------------------------------------

  record Run(int exit, String out, String err) {}

  /** Runs the command line in-process with its stdout and stderr captured. */
  static Run cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      exit = Main.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    Run run = new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    System.out.println("cvmfs-thin " + String.join(" ", args) + " -> " + run);
    return run;
  }

  /** Blob digests the registry served for {@code repo} (GET with status 200), in order. */
  List<String> blobGets(String repo) {
    return blobGets(registry, repo);
  }

  /** Blob digests {@code registry} served for {@code repo} (GET with status 200), in order. */
  static List<String> blobGets(LocalRegistry registry, String repo) {
    Pattern get =
        Pattern.compile(
            "\"GET /v2/" + Pattern.quote(repo) + "/blobs/(sha256:[0-9a-f]{64}) HTTP/[0-9.]+\" 200");
    List<String> digests = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(registry.log())) {
        Matcher m = get.matcher(line);
        if (m.find()) {
          digests.add(m.group(1));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + registry.log(), e);
    }
    return digests;
  }

  /** The layer digests of the pulled image's manifest, as containerd stored it. */
  List<String> manifestLayers() {
    return manifestLayers(containerd, source);
  }

  /** The layer digests of {@code source}'s manifest as containerd (namespace k8s.io) holds it. */
  static List<String> manifestLayers(CriContainerd containerd, String source) {
    String manifest =
        containerd
            .ctrK8sOk("images", "ls")
            .lines()
            .filter(l -> l.startsWith(source + " "))
            .findFirst()
            .orElseThrow()
            .split("\\s+")[2];
    List<String> layers = new ArrayList<>();
    json(containerd.ctrK8sOk("content", "get", manifest))
        .path("layers")
        .forEach(l -> layers.add(l.path("digest").asText()));
    return layers;
  }

  List<String> snapshotKeys(String namespace) {
    return snapshotKeys(containerd, namespace, containerd.snapshotter());
  }

  /** The snapshot keys {@code snapshotter} holds in {@code namespace}, as ctr lists them. */
  static List<String> snapshotKeys(CriContainerd containerd, String namespace, String snapshotter) {
    return containerd
        .ctr("-n", namespace, "snapshots", "--snapshotter", snapshotter, "ls")
        .orThrow()
        .stdout()
        .lines()
        .skip(1)
        .map(l -> l.split("\\s+")[0])
        .toList();
  }

  /** The labels of {@code ctr snapshots info}'s JSON. */
  static Map<String, String> labels(String infoJson) {
    Map<String, String> labels = new TreeMap<>();
    json(infoJson)
        .path("Labels")
        .properties()
        .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + text, e);
    }
  }
}
