package io.cvmfsthin.thinimage.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.image.ImageConfig;
import io.cvmfsthin.thinimage.image.ImageFormatException;
import io.cvmfsthin.thinimage.image.ImageManifest;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.image.json.ImageJson;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * A {@code docker save} tarball ({@code manifest.json} with {@code Config}, {@code RepoTags},
 * {@code Layers}; classic {@code <id>/layer.tar} or Docker 25's {@code blobs/sha256/<hex>}). The
 * first image in it is converted. Layers are plain tars, so each layer's blob digest is its diff_id
 * and is verified as it streams. The manifest is made here (Docker schema 2, deterministic).
 */
public final class DockerArchiveSource implements ImageSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_JSON = 8 << 20;

  private final Path file;
  private final TarFile tar;
  private final Map<String, TarArchiveEntry> byName = new HashMap<>();
  private final Map<Digest, TarArchiveEntry> blobs = new HashMap<>();

  /** Opens the tarball and reads its table of contents (headers only). */
  public DockerArchiveSource(Path file) throws IOException {
    this.file = file;
    this.tar = new TarFile(file);
    try {
      for (TarArchiveEntry e : tar.getEntries()) {
        byName.put(LayerPublicationTar.relative(e.getName(), e.getName()), e);
      }
    } catch (IOException e) {
      tar.close();
      throw e;
    }
  }

  @Override
  public SourceImage resolve() throws IOException {
    JsonNode manifests = JSON.readTree(read("manifest.json"));
    if (manifests == null || !manifests.isArray() || manifests.isEmpty()) {
      throw new ImageFormatException(file + ": manifest.json lists no image");
    }
    JsonNode first = manifests.get(0);
    String configName = first.path("Config").asText("");
    byte[] configBytes = read(configName);
    ImageConfig config = ImageJson.parseConfig(configBytes, file + ":" + configName);
    JsonNode layers = first.path("Layers");
    if (!layers.isArray() || layers.size() != config.diffIds().size()) {
      throw new ImageFormatException(
          file
              + ": manifest.json lists "
              + layers.size()
              + " layers, the config "
              + config.diffIds().size()
              + " diff_ids");
    }
    List<Descriptor> descriptors = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      TarArchiveEntry entry = entry(layers.get(i).asText(""));
      Digest diffId = config.diffIds().get(i);
      blobs.put(diffId, entry);
      descriptors.add(Descriptor.of(MediaTypes.DOCKER_LAYER_TAR, diffId, entry.getSize()));
    }
    Digest configDigest = Digest.of(configBytes);
    ImageManifest manifest =
        new ImageManifest(
            MediaTypes.DOCKER_MANIFEST,
            Descriptor.of(MediaTypes.DOCKER_CONFIG, configDigest, configBytes.length),
            descriptors);
    ImageReference name = nameOf(first.path("RepoTags"));
    String label = name != null ? name.toString() : file.getFileName().toString();
    return new SourceImage(
        name,
        "docker-archive:" + label,
        ImageJson.writeManifest(manifest),
        manifest,
        configDigest,
        config);
  }

  private static ImageReference nameOf(JsonNode repoTags) {
    if (repoTags.isArray() && !repoTags.isEmpty()) {
      try {
        return ImageReference.parse(repoTags.get(0).asText());
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  @Override
  public InputStream openBlob(Descriptor blob) throws IOException {
    TarArchiveEntry e = blobs.get(blob.digest());
    if (e == null) {
      throw new IOException(file + ": no layer " + blob.digest() + " in this archive");
    }
    return tar.getInputStream(e);
  }

  private TarArchiveEntry entry(String name) throws IOException {
    TarArchiveEntry e = byName.get(LayerPublicationTar.relative(name, name));
    if (e == null || !e.isFile()) {
      throw new ImageFormatException(
          file + ": no file '" + Names.shorten(name) + "' in the archive");
    }
    return e;
  }

  private byte[] read(String name) throws IOException {
    TarArchiveEntry e = entry(name);
    if (e.getSize() > MAX_JSON) {
      throw new ImageFormatException(file + ": " + name + " is larger than 8 MiB");
    }
    try (InputStream in = tar.getInputStream(e)) {
      return in.readAllBytes();
    }
  }

  @Override
  public String describe() {
    return "docker-archive " + file;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
