package io.cvmfsthin.driver.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.fetch.FetchSettings;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.thinimage.convert.ConvertListener;
import io.cvmfsthin.thinimage.convert.ConvertOptions;
import io.cvmfsthin.thinimage.convert.ConvertResult;
import io.cvmfsthin.thinimage.convert.Converter;
import io.cvmfsthin.thinimage.convert.CvmfsLayerRepository;
import io.cvmfsthin.thinimage.convert.DockerArchiveSource;
import io.cvmfsthin.thinimage.convert.LayerLayout;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.registry.DockerConfig;
import io.cvmfsthin.thinimage.registry.RegistryClient;
import io.cvmfsthin.thinimage.registry.RetryPolicy;
import io.cvmfsthin.thinimage.thin.CvmfsUrl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index over a repository the converter filled: a {@code docker save} archive of two layers
 * converted into a stratum 0, read through the CVMFS client ({@code file://} server URL) without a
 * mount; a layer whose ingest was interrupted, and a server that is down. One conversion for all
 * tests; each test makes its own index (own client, own cache).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCatalogsIT {
  static final String FQRN = "layers.example.org";
  static final String DOWN = "down.example.org";
  static final ObjectMapper JSON = new ObjectMapper();

  Path tmp;
  Path storage;
  Path keys;
  List<Digest> layers;
  int closedPort;
  int indexes;

  @BeforeAll
  void convert(@TempDir Path dir) throws Exception {
    tmp = dir;
    storage = tmp.resolve("storage");
    keys = tmp.resolve("keys");
    List<byte[]> tars =
        List.of(
            layerTar(Map.of("etc/hello.txt", "hello")),
            layerTar(Map.of("data/world.txt", "world")));
    Path archive = dockerSave(tmp.resolve("image.tar"), tars);
    RegistryClient unused =
        new RegistryClient(
            RegistryClient.newHttpClient(),
            DockerConfig.EMPTY,
            Set.of(),
            new RetryPolicy(1, Duration.ofMillis(10)));
    try (CvmfsLayerRepository repo =
            CvmfsLayerRepository.openOrCreate(storage, keys, FQRN, Clock.systemUTC());
        DockerArchiveSource source = new DockerArchiveSource(archive)) {
      ConvertResult r =
          new Converter(repo, unused, Clock.systemUTC(), ConvertListener.NONE)
              .convert(source, null, new ConvertOptions(false, false));
      assertThat(r.layersNew()).isEqualTo(2);
    }
    layers = tars.stream().map(Digest::of).toList();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
  }

  RemoteLayerIndex index(String... repositories) {
    return new RemoteLayerIndex(
        List.of(repositories),
        new ClientCatalogs(
            fqrn ->
                ClientSettings.builder(fqrn)
                    .serverUrls(
                        fqrn.equals(DOWN)
                            ? "http://127.0.0.1:" + closedPort + "/cvmfs/" + fqrn
                            : "file://" + storage.resolve(fqrn))
                    .masterKeys(keys.resolve(FQRN + ".pub"))
                    .cacheDir(tmp.resolve("cache-" + indexes++).resolve(fqrn))
                    .fetch(
                        new FetchSettings(
                            Duration.ofSeconds(2),
                            Duration.ofSeconds(2),
                            0,
                            Duration.ZERO,
                            Duration.ZERO,
                            FetchSettings.DEFAULTS.hostResetAfter(),
                            FetchSettings.DEFAULTS.proxyResetAfter()))
                    .build()));
  }

  @Test
  void convertedLayers_areFoundAtTheirLayerfs() throws IOException {
    try (RemoteLayerIndex index = index(FQRN)) {
      for (Digest d : layers) {
        assertThat(index.find(d.toString()))
            .hasValue(new CvmfsUrl(FQRN, ".layers/" + d.fanOut() + "/" + d.hex() + "/layerfs"));
      }
    }
  }

  @Test
  void aLayerTheRepositoryLacks_isAbsent() throws IOException {
    try (RemoteLayerIndex index = index(FQRN)) {
      assertThat(index.find(Digest.of("not converted".getBytes()).toString())).isEmpty();
    }
  }

  @Test
  void anInterruptedIngest_isNotUsed() throws IOException {
    // what an ingest that died before its metadata leaves: layerfs without .metadata/layers.json
    Digest half = Digest.of(layerTar(Map.of("half.txt", "half")));
    RepositoryPublisher.open(storage, keys, FQRN)
        .publish(
            Publication.tar(
                LayerLayout.layerDir(half),
                new ByteArrayInputStream(layerTar(Map.of("layerfs/half.txt", "half")))));
    try (RemoteLayerIndex index = index(FQRN)) {
      assertThat(index.find(half.toString())).isEmpty();
      assertThat(index.find(layers.get(0).toString())).isPresent();
    }
  }

  @Test
  void aMalformedDigest_isRejected() throws IOException {
    try (RemoteLayerIndex index = index(FQRN)) {
      assertThatThrownBy(() -> index.find("sha256:" + layers.get(0).hex().substring(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("64 lowercase hex");
    }
  }

  @Test
  void aServerThatIsDown_isNamedWhenNoOtherRepositoryHoldsTheLayer() throws IOException {
    try (RemoteLayerIndex index = index(DOWN)) {
      assertThatThrownBy(() -> index.find(layers.get(0).toString()))
          .isInstanceOf(RepositoryUnavailableException.class)
          .hasMessageContaining("repository " + DOWN + " unavailable")
          .hasMessageContaining("127.0.0.1:" + closedPort);
    }
  }

  @Test
  void aServerThatIsDown_doesNotHideALayerAnotherRepositoryHolds() throws IOException {
    try (RemoteLayerIndex index = index(DOWN, FQRN)) {
      assertThat(index.find(layers.get(1).toString())).map(CvmfsUrl::fqrn).hasValue(FQRN);
    }
  }

  // ---------------------------------------------------------------------------------------------

  static byte[] layerTar(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setSize(content.length);
        e.setMode(0644);
        e.setModTime(1_700_000_000_000L);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** A classic {@code docker save} archive of one image with these plain layer tars. */
  static Path dockerSave(Path file, List<byte[]> layerTars) throws IOException {
    List<String> diffIds = new ArrayList<>();
    List<String> layerPaths = new ArrayList<>();
    for (byte[] t : layerTars) {
      Digest d = Digest.of(t);
      diffIds.add(d.toString());
      layerPaths.add(d.hex() + "/layer.tar");
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    config.put("config", Map.of());
    config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configName = Digest.of(configBytes).hex() + ".json";
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("Config", configName);
    manifest.put("RepoTags", null);
    manifest.put("Layers", layerPaths);
    try (OutputStream out = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (int i = 0; i < layerTars.size(); i++) {
        put(tar, layerPaths.get(i), layerTars.get(i));
      }
      put(tar, configName, configBytes);
      put(tar, "manifest.json", JSON.writeValueAsBytes(List.of(manifest)));
    }
    return file;
  }

  static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }
}
