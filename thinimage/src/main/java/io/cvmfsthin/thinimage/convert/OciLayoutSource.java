package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.image.ImageConfig;
import io.cvmfsthin.thinimage.image.ImageDocument;
import io.cvmfsthin.thinimage.image.ImageFormatException;
import io.cvmfsthin.thinimage.image.ImageIndex;
import io.cvmfsthin.thinimage.image.ImageManifest;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.image.Platform;
import io.cvmfsthin.thinimage.image.PlatformSelector;
import io.cvmfsthin.thinimage.image.json.ImageJson;
import io.cvmfsthin.thinimage.layer.DigestingInputStream;
import io.cvmfsthin.thinimage.reference.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * An OCI image layout directory ({@code oci-layout}, {@code index.json}, {@code
 * blobs/sha256/<hex>}). The image is the index entry whose {@code
 * org.opencontainers.image.ref.name} equals the wanted name, else the only entry; nested indexes
 * are resolved to one platform.
 */
public final class OciLayoutSource implements ImageSource {
  static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final String IMAGE_NAME = "io.containerd.image.name";

  private final Path dir;
  private final String refName;
  private final Platform platform;

  /**
   * @param refName the {@code ref.name} annotation to pick, or null for the only entry
   */
  public OciLayoutSource(Path dir, String refName, Platform platform) {
    this.dir = dir;
    this.refName = refName;
    this.platform = platform;
  }

  /** Whether {@code dir} looks like an OCI layout. */
  public static boolean isLayout(Path dir) {
    return Files.isRegularFile(dir.resolve("oci-layout"))
        && Files.isRegularFile(dir.resolve("index.json"));
  }

  @Override
  public SourceImage resolve() throws IOException {
    byte[] indexBytes = Files.readAllBytes(dir.resolve("index.json"));
    ImageDocument top =
        ImageJson.parseDocument(indexBytes, MediaTypes.OCI_INDEX, dir + "/index.json");
    if (!(top instanceof ImageIndex index)) {
      throw new ImageFormatException(dir + "/index.json is not an index");
    }
    Descriptor entry = pick(index);
    byte[] bytes = blob(entry, ImageJson.MAX_DOCUMENT_BYTES);
    ImageDocument doc = ImageJson.parseDocument(bytes, entry.mediaType(), where(entry));
    if (doc instanceof ImageIndex nested) {
      entry = PlatformSelector.select(nested, platform, where(entry));
      bytes = blob(entry, ImageJson.MAX_DOCUMENT_BYTES);
      doc = ImageJson.parseDocument(bytes, entry.mediaType(), where(entry));
    }
    if (!(doc instanceof ImageManifest manifest)) {
      throw new ImageFormatException(where(entry) + ": not an image manifest");
    }
    byte[] configBytes = blob(manifest.config(), 8 << 20);
    ImageConfig config = ImageJson.parseConfig(configBytes, where(manifest.config()));
    ImageReference name = nameOf(entry);
    String label = name != null ? name.toString() : dir.getFileName().toString();
    return new SourceImage(
        name, "oci-layout:" + label, bytes, manifest, manifest.config().digest(), config);
  }

  private Descriptor pick(ImageIndex index) throws ImageFormatException {
    List<Descriptor> entries = index.manifests();
    if (refName != null) {
      for (Descriptor d : entries) {
        if (refName.equals(d.annotations().get(REF_NAME))) {
          return d;
        }
      }
      throw new ImageFormatException(
          dir
              + "/index.json: no entry with "
              + REF_NAME
              + "="
              + refName
              + "; it has "
              + entries.stream().map(d -> d.annotations().get(REF_NAME)).toList());
    }
    if (entries.size() == 1) {
      return entries.get(0);
    }
    return PlatformSelector.select(index, platform, dir + "/index.json");
  }

  private ImageReference nameOf(Descriptor entry) {
    for (String key : new String[] {IMAGE_NAME, REF_NAME}) {
      String v = entry.annotations().get(key);
      if (v != null && v.contains("/")) {
        try {
          return ImageReference.parse(v);
        } catch (IllegalArgumentException e) {
          // a bare tag such as "1.0": not a name
        }
      }
    }
    return null;
  }

  private String where(Descriptor d) {
    return dir + "/blobs/sha256/" + d.digest().hex();
  }

  private byte[] blob(Descriptor d, int max) throws IOException {
    if (d.sizeBytes() > max) {
      throw new ImageFormatException(where(d) + ": " + d.sizeBytes() + " bytes is too large");
    }
    try (DigestingInputStream in = new DigestingInputStream(openBlob(d), where(d), d.sizeBytes())) {
      byte[] bytes = in.readAllBytes();
      in.verify(d.digest());
      return bytes;
    }
  }

  @Override
  public InputStream openBlob(Descriptor blob) throws IOException {
    Path p = dir.resolve("blobs").resolve("sha256").resolve(blob.digest().hex());
    try {
      return Files.newInputStream(p);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          p.toString(), null, "blob " + blob.digest() + " missing from the layout");
    }
  }

  @Override
  public String describe() {
    return "oci-layout " + dir;
  }
}
