package io.cvmfsthin.thinimage.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.thinimage.image.ImageFormatException;
import io.cvmfsthin.thinimage.image.ImageManifest;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.image.Platform;
import io.cvmfsthin.thinimage.image.json.ImageJson;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.registry.DockerConfig;
import io.cvmfsthin.thinimage.registry.ManifestResponse;
import io.cvmfsthin.thinimage.testing.LayerTar;
import io.cvmfsthin.thinimage.testing.TestArchives;
import io.cvmfsthin.thinimage.testing.TestImage;
import io.cvmfsthin.thinimage.testing.TestImage.Layer;
import io.cvmfsthin.thinimage.testing.TestRegistry;
import io.cvmfsthin.thinimage.thin.ThinDescriptorReader;
import io.cvmfsthin.thinimage.thin.ThinImage;
import io.cvmfsthin.thinimage.thin.ThinLayer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registry image → CVMFS layers + thin image, against docker-registry and our publisher/reader. */
@Tag("registry")
class ConverterIT {
  @TempDir Path dir;
  ConvertFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = new ConvertFixture(dir, TestRegistry.Auth.NONE, DockerConfig.EMPTY);
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  /** Three layers: a rich base, deletions + opaque dir, and a plain-tar layer. */
  static List<Layer> richLayers() {
    byte[] base =
        new LayerTar()
            .dir("etc")
            .file("etc/hosts", "127.0.0.1 localhost\n")
            .file("etc/delete-me", "soon gone")
            .dir("usr")
            .dir("usr/bin")
            .file(
                "usr/bin/tool",
                "#!/bin/sh\necho tool\n".getBytes(StandardCharsets.UTF_8),
                04755,
                0,
                0)
            .hardlink("usr/bin/tool-link", "usr/bin/tool")
            .symlink("usr/bin/sh", "tool")
            .fileWithXattr("usr/bin/ping", "ping", Map.of("user.comment", "hello"))
            .dir("home", 0755, 0, 0)
            .dir("home/app", 0750, 1000, 1000)
            .file("home/app/owned.txt", "mine".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1000)
            .dir("data")
            .dir("data/old")
            .file("data/old/a.txt", "a")
            .file("data/old/b.txt", "b")
            .dir("run")
            .fifo("run/fifo")
            .dir("dev")
            .charDevice("dev/null", 1, 3)
            .bytes();
    byte[] changes =
        new LayerTar()
            .dir("etc")
            .whiteout("etc", "delete-me")
            .file("etc/motd", "welcome\n")
            .dir("data/old")
            .opaque("data/old")
            .file("data/old/new.txt", "new")
            .bytes();
    byte[] plain = new LayerTar().dir("srv").file("srv/app.txt", "app").bytes();
    return List.of(Layer.gzip(base, false), Layer.gzip(changes, false), Layer.plain(plain, false));
  }

  @Test
  void convert_multiLayerImage_publishesDuccLayoutAndPushesThinImage() throws Exception {
    ImageReference source = fx.ref("team/app:1.0");
    TestImage image = TestImage.of(richLayers(), false, "amd64");
    image.push(fx.client, source);

    ConvertResult result = fx.convert(source);

    assertThat(result.layersNew()).isEqualTo(3);
    assertThat(result.layersSkipped()).isZero();
    assertThat(result.files()).isGreaterThan(20);
    assertThat(result.target()).isEqualTo(fx.ref("team/app_thin:1.0"));
    // three layers, their metadata and the image's: one revision on top of the empty revision 0
    assertThat(result.revisionBefore()).isZero();
    assertThat(result.revisionAfter()).isEqualTo(1);
    assertThat(fx.revision()).isEqualTo(1);
    assertThat(result.summaryLine()).contains("revision 0 -> 1");
    try (RepositoryClient repo = fx.reader()) {
      Digest l0 = image.layers.get(0).digest();
      Digest l1 = image.layers.get(1).digest();
      String fs0 = LayerLayout.layerFs(l0);
      String fs1 = LayerLayout.layerFs(l1);
      assertThat(nested(repo.lookup("/.layers"))).isTrue();
      assertThat(nested(repo.lookup(LayerLayout.fanOutDir(l0)))).isTrue();
      assertThat(nested(repo.lookup(fs0))).isTrue();
      assertThat(read(repo, fs0 + "/etc/hosts")).isEqualTo("127.0.0.1 localhost\n");
      DirectoryEntry tool = repo.lookup(fs0 + "/usr/bin/tool");
      assertThat(tool.permissions()).isEqualTo(04755);
      DirectoryEntry link = repo.lookup(fs0 + "/usr/bin/tool-link");
      assertThat(link.hardlinkGroup()).isNotZero().isEqualTo(tool.hardlinkGroup());
      assertThat(link.linkCount()).isEqualTo(2);
      assertThat(repo.lookup(fs0 + "/usr/bin/sh").symlink()).isEqualTo("tool");
      assertThat(
              new String(
                  repo.lookup(fs0 + "/usr/bin/ping").xattrs().get("user.comment"),
                  StandardCharsets.UTF_8))
          .isEqualTo("hello");
      DirectoryEntry owned = repo.lookup(fs0 + "/home/app/owned.txt");
      assertThat(owned.uid()).isEqualTo(1000);
      assertThat(owned.gid()).isEqualTo(1000);
      assertThat(owned.permissions()).isEqualTo(0600);
      assertThat(repo.lookup(fs0 + "/home/app").uid()).isEqualTo(1000);
      assertThat(repo.lookup(fs0 + "/run/fifo").kind()).isEqualTo(EntryKind.FIFO);
      DirectoryEntry devNull = repo.lookup(fs0 + "/dev/null");
      assertThat(devNull.kind()).isEqualTo(EntryKind.CHAR_DEVICE);
      assertThat(devNull.rdev()).isEqualTo(DeviceNumbers.makedev(1, 3));
      // whiteouts stay in OCI form (thin-image.md 4.4)
      assertThat(repo.lookup(fs1 + "/etc/.wh.delete-me").kind()).isEqualTo(EntryKind.REGULAR);
      assertThat(repo.lookup(fs1 + "/data/old/.wh..wh..opq").kind()).isEqualTo(EntryKind.REGULAR);
      // metadata
      JsonNode layers = json(repo, LayerLayout.layerCompleteMarker(l0));
      assertThat(layers.get(0).get("diff-digest").asText())
          .isEqualTo(image.layers.get(0).diffId().toString());
      assertThat(layers.get(0).get("compressed-diff-digest").asText()).isEqualTo(l0.toString());
      assertThat(
              json(repo, LayerLayout.layerMetadataDir(l0) + "/origin.json")
                  .get("origin")
                  .get(0)
                  .asText())
          .isEqualTo(image.configDigest().toString());
      byte[] meta = readBytes(repo, LayerLayout.imageMetadataDir(source) + "/manifest.json");
      assertThat(meta).isEqualTo(image.manifest);
    }

    // the thin image in the registry
    ManifestResponse pushed = fx.client.getManifest(result.target());
    assertThat(pushed.digest()).isEqualTo(result.thinManifest());
    ImageManifest thin =
        (ImageManifest) ImageJson.parseDocument(pushed.bytes(), pushed.contentType(), "thin");
    assertThat(thin.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(thin.layers()).hasSize(1);
    byte[] layerBlob;
    try (InputStream in = fx.client.openBlob(result.target(), thin.layers().get(0).digest())) {
      layerBlob = in.readAllBytes();
    }
    TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(layerBlob)));
    TarArchiveEntry only = tar.getNextEntry();
    assertThat(only.getName()).isEqualTo("thin.json");
    assertThat(only.getMode() & 07777).isEqualTo(0644);
    byte[] thinJson = tar.readAllBytes();
    assertThat(tar.getNextEntry()).isNull();
    ThinImage descriptor = ThinDescriptorReader.read(thinJson, "thin.json");
    assertThat(descriptor.layers()).hasSize(3);
    assertThat(descriptor.layers().get(0).digest()).isEqualTo(image.layers.get(0).digest().hex());
    assertThat(descriptor.layers().get(2).url().toString())
        .isEqualTo(
            "cvmfs://"
                + ConvertFixture.FQRN
                + "/"
                + LayerLayout.layerFs(image.layers.get(2).digest()).substring(1));
    assertThat(descriptor.origin()).isEqualTo("http://" + source);

    JsonNode config =
        new ObjectMapper().readTree(fx.client.getBlob(result.target(), thin.config(), 1 << 20));
    JsonNode c = config.get("config");
    assertThat(c.get("Env").toString())
        .contains("CVMFS_IMAGE=true")
        .contains("GREETING=hello \\\"world\\\"");
    assertThat(c.get("Cmd").toString()).isEqualTo("[\"run\",\"an argument with spaces\"]");
    assertThat(c.get("Entrypoint").toString()).isEqualTo("[\"/bin/entry\",\"--flag\"]");
    assertThat(c.get("WorkingDir").asText()).isEqualTo("/srv");
    assertThat(c.get("User").asText()).isEqualTo("1000:1000");
    assertThat(c.get("StopSignal").asText()).isEqualTo("SIGINT");
    assertThat(c.get("Shell").toString()).isEqualTo("[\"/bin/bash\",\"-c\"]");
    assertThat(c.get("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(c.get("Volumes").has("/data")).isTrue();
    assertThat(c.get("Healthcheck").get("Retries").asInt()).isEqualTo(3);
    assertThat(c.get("Labels").get("org.example.name").asText()).isEqualTo("demo");
    assertThat(c.get("Labels").get("org.cernvm.thin.source-digest").asText())
        .isEqualTo(image.manifestDigest().toString());
    assertThat(config.get("architecture").asText()).isEqualTo("amd64");
    assertThat(config.get("rootfs").get("diff_ids").get(0).asText())
        .isEqualTo(Digest.of(tarBytes(layerBlob)).toString());
  }

  @Test
  void binaryXattr_isPublishedByteForByte() throws Exception {
    ImageReference source = fx.ref("caps/ping:1");
    String deep = "usr/lib/x86_64-linux-gnu/libexec/iputils/ping"; // > 100 bytes below .layers
    Layer layer =
        Layer.gzip(
            new LayerTar()
                .fileWithBinaryXattr(
                    "usr/bin/ping",
                    "ping",
                    "security.capability",
                    LayerPublicationTarTest.CAPABILITY)
                .fileWithBinaryXattr(
                    deep, "ping", "security.capability", LayerPublicationTarTest.CAPABILITY)
                .bytes(),
            false);
    TestImage.of(List.of(layer), false, "amd64").push(fx.client, source);

    fx.convert(source);

    try (RepositoryClient repo = fx.reader()) {
      String fs = LayerLayout.layerFs(layer.digest());
      assertThat(repo.lookup(fs + "/usr/bin/ping").xattrs())
          .containsOnlyKeys("security.capability");
      assertThat(repo.lookup(fs + "/usr/bin/ping").xattrs().get("security.capability"))
          .containsExactly(LayerPublicationTarTest.CAPABILITY);
      assertThat(repo.lookup(fs + "/" + deep).xattrs().get("security.capability"))
          .containsExactly(LayerPublicationTarTest.CAPABILITY);
      assertThat(read(repo, fs + "/" + deep)).isEqualTo("ping");
    }
  }

  @Test
  void convertAgain_addsNothingAndYieldsTheSameDigest() throws Exception {
    ImageReference source = fx.ref("team/app:1.0");
    TestImage.of(richLayers(), false, "amd64").push(fx.client, source);
    ConvertResult first = fx.convert(source);
    long revision = fx.revision();

    ConvertResult second = fx.convert(source);

    assertThat(second.thinManifest()).isEqualTo(first.thinManifest());
    assertThat(second.layersNew()).isZero();
    assertThat(second.layersSkipped()).isEqualTo(3);
    assertThat(second.storedBytes()).isZero();
    assertThat(second.revisionAfter()).isEqualTo(second.revisionBefore()).isEqualTo(revision);
    assertThat(fx.revision()).isEqualTo(revision).isEqualTo(1);
    assertThat(second.summaryLine()).contains("revision 1, no new revision");
    assertThat(second.thinJson()).isEqualTo(first.thinJson());
  }

  @Test
  void secondImageSharingABase_publishesOnlyItsOwnLayer_andRecordsItsOrigin() throws Exception {
    List<Layer> base = richLayers();
    TestImage one = TestImage.of(base, false, "amd64");
    Layer extra = Layer.gzip(new LayerTar().file("extra.txt", "x").bytes(), false);
    TestImage two = TestImage.of(List.of(base.get(0), base.get(1), extra), false, "amd64");
    one.push(fx.client, fx.ref("one/app:1"));
    two.push(fx.client, fx.ref("two/app:1"));
    fx.convert(fx.ref("one/app:1"));
    long before = fx.revision();

    ConvertResult r = fx.convert(fx.ref("two/app:1"));

    assertThat(r.layersNew()).isEqualTo(1);
    assertThat(r.layersSkipped()).isEqualTo(2);
    // the new layer, two origin.json updates and the image metadata: one revision
    assertThat(fx.revision()).isEqualTo(before + 1);
    assertThat(r.revisionBefore()).isEqualTo(before);
    assertThat(r.revisionAfter()).isEqualTo(before + 1);
    try (RepositoryClient repo = fx.reader()) {
      JsonNode origin =
          json(repo, LayerLayout.layerMetadataDir(base.get(0).digest()) + "/origin.json");
      assertThat(origin.get("origin").toString())
          .contains(one.configDigest().toString())
          .contains(two.configDigest().toString());
    }
  }

  @Test
  void aLayerListedTwice_isPublishedOnce_inTheImagesOneRevision() throws Exception {
    ImageReference source = fx.ref("twice/app:1");
    Layer a = Layer.gzip(new LayerTar().file("a.txt", "a").bytes(), false);
    Layer b = Layer.gzip(new LayerTar().file("b.txt", "b").bytes(), false);
    TestImage image = TestImage.of(List.of(a, b, a), false, "amd64");
    image.push(fx.client, source);

    ConvertResult r = fx.convert(source);

    assertThat(r.layersNew()).isEqualTo(2);
    assertThat(r.layersSkipped()).isEqualTo(1);
    assertThat(r.revisionAfter()).isEqualTo(r.revisionBefore() + 1);
    ThinImage thin = ThinDescriptorReader.read(r.thinJson(), "thin.json");
    assertThat(thin.layers())
        .extracting(ThinLayer::digest)
        .containsExactly(a.digest().hex(), b.digest().hex(), a.digest().hex());
    try (RepositoryClient repo = fx.reader()) {
      assertThat(read(repo, LayerLayout.layerFs(a.digest()) + "/a.txt")).isEqualTo("a");
      assertThat(
              json(repo, LayerLayout.layerMetadataDir(a.digest()) + "/origin.json")
                  .get("origin")
                  .size())
          .isEqualTo(1);
    }
  }

  @Test
  void aHalfMadeLayer_isReplaced_inTheImagesOneRevision() throws Exception {
    ImageReference source = fx.ref("half/app:1");
    Layer layer = Layer.gzip(new LayerTar().file("good.txt", "good").bytes(), false);
    TestImage.of(List.of(layer), false, "amd64").push(fx.client, source);
    Digest d = layer.digest();
    // an older, interrupted ingest: the layer directory with its catalogs but no .metadata
    fx.repository().close();
    RepositoryPublisher.open(fx.storage, fx.keys, ConvertFixture.FQRN)
        .publish(
            Publication.tar(
                    LayerLayout.LAYERS,
                    new ByteArrayInputStream(
                        new LayerTar()
                            .file(d.fanOut() + "/.cvmfscatalog", "")
                            .file(d.fanOut() + "/" + d.hex() + "/layerfs/junk.txt", "junk")
                            .bytes()))
                .withNestedCatalog(true));
    long before = fx.revision();

    ConvertResult r = fx.convert(source);

    assertThat(r.layersNew()).isEqualTo(1);
    assertThat(fx.revision()).isEqualTo(before + 1);
    try (RepositoryClient repo = fx.reader()) {
      assertThat(read(repo, LayerLayout.layerFs(d) + "/good.txt")).isEqualTo("good");
      assertThatThrownBy(() -> repo.lookup(LayerLayout.layerFs(d) + "/junk.txt"))
          .isInstanceOf(java.nio.file.NoSuchFileException.class);
      assertThat(repo.lookup(LayerLayout.layerCompleteMarker(d))).isNotNull();
      assertThat(nested(repo.lookup(LayerLayout.layerFs(d)))).isTrue();
    }
  }

  @Test
  void concurrentConverters_eachMakeOneRevision_andShareTheirCommonLayers() throws Exception {
    List<Layer> base = richLayers();
    TestImage one =
        TestImage.of(
            List.of(
                base.get(0), base.get(1), Layer.gzip(new LayerTar().file("a", "1").bytes(), false)),
            false,
            "amd64");
    TestImage two =
        TestImage.of(
            List.of(
                base.get(0), base.get(1), Layer.gzip(new LayerTar().file("b", "2").bytes(), false)),
            false,
            "amd64");
    one.push(fx.client, fx.ref("one/app:1"));
    two.push(fx.client, fx.ref("two/app:1"));
    fx.repository().close();
    long before = fx.revision();

    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<ConvertResult> results;
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<ConvertResult>> futures = new ArrayList<>();
      for (String name : List.of("one/app:1", "two/app:1")) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return fx.convert(fx.ref(name));
                }));
      }
      start.countDown();
      results = new ArrayList<>();
      for (Future<ConvertResult> f : futures) {
        results.add(f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(fx.revision()).isEqualTo(before + 2);
    assertThat(results)
        .allSatisfy(r -> assertThat(r.revisionAfter()).isEqualTo(r.revisionBefore() + 1));
    assertThat(results).extracting(ConvertResult::revisionAfter).doesNotHaveDuplicates();
    // the shared layers were published by whichever came first, skipped by the other
    assertThat(results.stream().mapToInt(ConvertResult::layersNew).sum()).isEqualTo(4);
    assertThat(results.stream().mapToInt(ConvertResult::layersSkipped).sum()).isEqualTo(2);
    try (RepositoryClient repo = fx.reader()) {
      assertThat(
              json(repo, LayerLayout.layerMetadataDir(base.get(0).digest()) + "/origin.json")
                  .get("origin")
                  .toString())
          .contains(one.configDigest().toString())
          .contains(two.configDigest().toString());
    }
  }

  @Test
  void ociManifestWithZstdLayer_isConverted_andThinImageCanBeOci() throws Exception {
    ImageReference source = fx.ref("oci/zstd:v1");
    List<Layer> layers =
        List.of(
            Layer.gzip(new LayerTar().dir("a").file("a/one", "1").bytes(), true),
            Layer.zstd(new LayerTar().dir("b").file("b/two", "2").bytes()));
    TestImage.of(layers, true, "amd64").push(fx.client, source);

    ConvertResult r =
        fx.convert(
            new RegistrySource(fx.client, source, Platform.LINUX_AMD64),
            null,
            new ConvertOptions(true, true));

    assertThat(r.layersNew()).isEqualTo(2);
    try (RepositoryClient repo = fx.reader()) {
      assertThat(read(repo, LayerLayout.layerFs(layers.get(1).digest()) + "/b/two")).isEqualTo("2");
    }
    ManifestResponse pushed = fx.client.getManifest(r.target());
    assertThat(ImageJson.parseDocument(pushed.bytes(), pushed.contentType(), "t").mediaType())
        .isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void multiPlatformIndex_convertsTheRequestedPlatform() throws Exception {
    ImageReference source = fx.ref("multi/app:2");
    TestImage amd =
        TestImage.of(
            List.of(Layer.gzip(new LayerTar().file("arch", "amd64").bytes(), true)), true, "amd64");
    TestImage arm =
        TestImage.of(
            List.of(Layer.gzip(new LayerTar().file("arch", "arm64").bytes(), true)), true, "arm64");
    amd.push(fx.client, source.withTag("amd"));
    arm.push(fx.client, source.withTag("arm"));
    fx.client.putManifest(
        source,
        "2",
        MediaTypes.OCI_INDEX,
        TestImage.index(true, List.of(amd, arm), List.of("amd64", "arm64")));

    ConvertResult r =
        fx.convert(
            new RegistrySource(fx.client, source, Platform.parse("linux/arm64")),
            null,
            ConvertOptions.DEFAULT);

    try (RepositoryClient repo = fx.reader()) {
      assertThat(read(repo, LayerLayout.layerFs(arm.layers.get(0).digest()) + "/arch"))
          .isEqualTo("arm64");
      assertThatThrownBy(() -> repo.lookup(LayerLayout.layerDir(amd.layers.get(0).digest())))
          .isInstanceOf(java.nio.file.NoSuchFileException.class);
      assertThat(readBytes(repo, LayerLayout.imageMetadataDir(source) + "/manifest.json"))
          .isEqualTo(arm.manifest);
    }
    ManifestResponse pushed = fx.client.getManifest(r.target());
    ImageManifest thin =
        (ImageManifest) ImageJson.parseDocument(pushed.bytes(), pushed.contentType(), "t");
    JsonNode config =
        new ObjectMapper().readTree(fx.client.getBlob(r.target(), thin.config(), 1 << 20));
    assertThat(config.get("architecture").asText()).isEqualTo("arm64");
  }

  @Test
  void dockerSaveTarball_isConverted_andAgainIsANoOp() throws Exception {
    TestImage image = TestImage.of(richLayers(), false, "amd64");
    Path tarball = dir.resolve("saved.tar");
    TestArchives.dockerSave(tarball, image, fx.registry.host() + "/saved/app:3");

    ConvertResult first;
    try (DockerArchiveSource source = new DockerArchiveSource(tarball)) {
      first = fx.convert(source, null, ConvertOptions.DEFAULT);
    }
    ConvertResult second;
    try (DockerArchiveSource source = new DockerArchiveSource(tarball)) {
      second = fx.convert(source, null, ConvertOptions.DEFAULT);
    }

    assertThat(first.layersNew()).isEqualTo(3);
    assertThat(first.target()).isEqualTo(fx.ref("saved/app_thin:3"));
    assertThat(fx.client.headManifest(first.target(), "3")).contains(first.thinManifest());
    assertThat(second.thinManifest()).isEqualTo(first.thinManifest());
    assertThat(second.revisionAfter()).isEqualTo(first.revisionAfter());
    try (RepositoryClient repo = fx.reader()) {
      // docker save layers are plain tars: their key is the diff_id
      String fs = LayerLayout.layerFs(image.layers.get(0).diffId());
      assertThat(repo.lookup(fs + "/usr/bin/tool").permissions()).isEqualTo(04755);
      assertThat(
              repo.lookup(LayerLayout.imageMetadataDir(fx.ref("saved/app:3")) + "/manifest.json"))
          .isNotNull();
    }
  }

  @Test
  void ociLayoutDirectory_isConverted() throws Exception {
    List<Layer> layers =
        List.of(
            Layer.zstd(new LayerTar().dir("opt").file("opt/z.txt", "zstd").bytes()),
            Layer.plain(new LayerTar().file("plain.txt", "p").bytes(), true));
    TestImage image = TestImage.of(layers, true, "amd64");
    Path layout = dir.resolve("layout");
    TestArchives.ociLayout(layout, image, "1.0");
    ImageReference target = fx.ref("layout/app_thin:1.0");

    ConvertResult r =
        fx.convert(
            new OciLayoutSource(layout, "1.0", Platform.LINUX_AMD64),
            target,
            ConvertOptions.DEFAULT);

    assertThat(r.layersNew()).isEqualTo(2);
    assertThat(fx.client.headManifest(target, "1.0")).contains(r.thinManifest());
    try (RepositoryClient repo = fx.reader()) {
      assertThat(read(repo, LayerLayout.layerFs(layers.get(0).digest()) + "/opt/z.txt"))
          .isEqualTo("zstd");
    }
    assertThatThrownBy(
            () ->
                fx.convert(
                    new OciLayoutSource(layout, "2.0", Platform.LINUX_AMD64),
                    target,
                    ConvertOptions.DEFAULT))
        .isInstanceOf(ImageFormatException.class)
        .hasMessageContaining("ref.name=2.0");
  }

  // ---- helpers ----

  static boolean nested(DirectoryEntry e) {
    return e.isNestedMountpoint() || e.isNestedRoot();
  }

  static String read(RepositoryClient repo, String path) throws Exception {
    return new String(readBytes(repo, path), StandardCharsets.UTF_8);
  }

  static byte[] readBytes(RepositoryClient repo, String path) throws Exception {
    try (InputStream in = repo.open(path)) {
      return in.readAllBytes();
    }
  }

  static JsonNode json(RepositoryClient repo, String path) throws Exception {
    return new ObjectMapper().readTree(readBytes(repo, path));
  }

  static byte[] tarBytes(byte[] gz) throws Exception {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }
}
