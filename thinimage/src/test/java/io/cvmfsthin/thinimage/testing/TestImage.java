package io.cvmfsthin.thinimage.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.registry.BlobSource;
import io.cvmfsthin.thinimage.registry.RegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** A small image built in memory: layers, a config, a manifest (schema 2 or OCI). */
public final class TestImage {
  /** One layer: its tar, its blob and the blob's media type. */
  public record Layer(byte[] tar, byte[] blob, String mediaType) {
    public Digest digest() {
      return Digest.of(blob);
    }

    public Digest diffId() {
      return Digest.of(tar);
    }

    public static Layer gzip(byte[] tar, boolean oci) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(tar);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Layer(
          tar, out.toByteArray(), oci ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.DOCKER_LAYER_GZIP);
    }

    public static Layer zstd(byte[] tar) {
      return new Layer(tar, Zstd.compress(tar), MediaTypes.OCI_LAYER_ZSTD);
    }

    public static Layer plain(byte[] tar, boolean oci) {
      return new Layer(tar, tar, oci ? MediaTypes.OCI_LAYER_TAR : MediaTypes.DOCKER_LAYER_TAR);
    }

    public Layer withMediaType(String type) {
      return new Layer(tar, blob, type);
    }

    public Layer withBlob(byte[] otherBlob) {
      return new Layer(tar, otherBlob, mediaType);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public final List<Layer> layers;
  public final byte[] config;
  public final byte[] manifest;
  public final String manifestType;

  private TestImage(List<Layer> layers, byte[] config, byte[] manifest, String manifestType) {
    this.layers = layers;
    this.config = config;
    this.manifest = manifest;
    this.manifestType = manifestType;
  }

  public Digest manifestDigest() {
    return Digest.of(manifest);
  }

  public Digest configDigest() {
    return Digest.of(config);
  }

  /** An image of {@code layers} with a full runtime config for {@code arch}. */
  public static TestImage of(List<Layer> layers, boolean oci, String arch) {
    return of(layers, oci, arch, fullRuntimeConfig(), layers.stream().map(Layer::diffId).toList());
  }

  public static TestImage of(
      List<Layer> layers,
      boolean oci,
      String arch,
      Map<String, Object> runtime,
      List<Digest> diffIds) {
    try {
      Map<String, Object> cfg = new LinkedHashMap<>();
      cfg.put("architecture", arch);
      cfg.put("os", "linux");
      cfg.put("created", "2024-05-06T07:08:09.123456789Z");
      cfg.put("config", runtime);
      cfg.put(
          "rootfs",
          Map.of("type", "layers", "diff_ids", diffIds.stream().map(Digest::toString).toList()));
      cfg.put("history", List.of(Map.of("created_by", "test")));
      byte[] config = JSON.writeValueAsBytes(cfg);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schemaVersion", 2);
      String type = oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
      m.put("mediaType", type);
      m.put(
          "config",
          descriptor(
              oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG,
              Digest.of(config),
              config.length));
      List<Object> ls = new ArrayList<>();
      for (Layer l : layers) {
        ls.add(descriptor(l.mediaType(), l.digest(), l.blob().length));
      }
      m.put("layers", ls);
      return new TestImage(layers, config, JSON.writeValueAsBytes(m), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Map<String, Object> fullRuntimeConfig() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("User", "1000:1000");
    c.put("ExposedPorts", Map.of("8080/tcp", Map.of(), "53/udp", Map.of()));
    c.put("Env", List.of("PATH=/usr/local/bin:/usr/bin:/bin", "GREETING=hello \"world\""));
    c.put("Entrypoint", List.of("/bin/entry", "--flag"));
    c.put("Cmd", List.of("run", "an argument with spaces"));
    c.put("Volumes", Map.of("/data", Map.of()));
    c.put("WorkingDir", "/srv");
    c.put("Labels", Map.of("org.example.name", "demo", "a", "b"));
    c.put("StopSignal", "SIGINT");
    c.put(
        "Healthcheck",
        Map.of("Test", List.of("CMD", "/bin/check"), "Interval", 30_000_000_000L, "Retries", 3));
    c.put("Shell", List.of("/bin/bash", "-c"));
    return c;
  }

  static Map<String, Object> descriptor(String type, Digest digest, long size) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mediaType", type);
    d.put("size", size);
    d.put("digest", digest.toString());
    return d;
  }

  /** Pushes blobs and the manifest under {@code ref}'s tag (or digest). */
  public void push(RegistryClient client, ImageReference ref) throws IOException {
    for (Layer l : layers) {
      client.pushBlob(ref, l.digest(), l.blob().length, BlobSource.of(l.blob()));
    }
    client.pushBlob(ref, configDigest(), config.length, BlobSource.of(config));
    client.putManifest(ref, ref.manifestReference(), manifestType, manifest);
  }

  /** An index (OCI or Docker list) over {@code images}, each with its architecture. */
  public static byte[] index(boolean oci, List<TestImage> images, List<String> archs) {
    try {
      Map<String, Object> idx = new LinkedHashMap<>();
      idx.put("schemaVersion", 2);
      idx.put("mediaType", oci ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_MANIFEST_LIST);
      List<Object> ms = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        Map<String, Object> d =
            descriptor(
                images.get(i).manifestType,
                images.get(i).manifestDigest(),
                images.get(i).manifest.length);
        d.put("platform", Map.of("os", "linux", "architecture", archs.get(i)));
        ms.add(d);
      }
      idx.put("manifests", ms);
      return JSON.writeValueAsBytes(idx);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
