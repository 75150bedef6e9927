package io.cvmfsthin.thinimage.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.thinimage.image.MediaTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes a {@link TestImage} as a {@code docker save} tarball or an OCI image layout. */
public final class TestArchives {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestArchives() {}

  /** Classic {@code docker save} layout: {@code <id>/layer.tar}, {@code <config>.json}. */
  public static void dockerSave(Path file, TestImage image, String repoTag) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      List<String> layers = new ArrayList<>();
      for (int i = 0; i < image.layers.size(); i++) {
        String id = image.layers.get(i).diffId().hex();
        put(tar, id + "/VERSION", "1.0".getBytes());
        put(tar, id + "/layer.tar", image.layers.get(i).tar());
        layers.add(id + "/layer.tar");
      }
      String config = image.configDigest().hex() + ".json";
      put(tar, config, image.config);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Config", config);
      m.put("RepoTags", repoTag == null ? null : List.of(repoTag));
      m.put("Layers", layers);
      put(tar, "manifest.json", JSON.writeValueAsBytes(List.of(m)));
    }
  }

  /** An OCI layout with one image, its index entry annotated with {@code ref.name}. */
  public static void ociLayout(Path dir, TestImage image, String refName) throws IOException {
    Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
    for (TestImage.Layer l : image.layers) {
      Files.write(blobs.resolve(l.digest().hex()), l.blob());
    }
    Files.write(blobs.resolve(image.configDigest().hex()), image.config);
    Files.write(blobs.resolve(image.manifestDigest().hex()), image.manifest);
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("mediaType", image.manifestType);
    entry.put("digest", image.manifestDigest().toString());
    entry.put("size", image.manifest.length);
    entry.put("annotations", Map.of("org.opencontainers.image.ref.name", refName));
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    index.put("manifests", List.of(entry));
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
  }

  private static void put(TarArchiveOutputStream tar, String name, byte[] content)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }
}
