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
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.registry.ManifestResponse;
import io.cvmfsthin.thinimage.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An image in a registry; an index or manifest list is resolved to one platform. */
public final class RegistrySource implements ImageSource {
  private static final Logger log = LoggerFactory.getLogger(RegistrySource.class);
  private static final int MAX_CONFIG_BYTES = 8 << 20;

  private final RegistryClient client;
  private final ImageReference reference;
  private final Platform platform;

  public RegistrySource(RegistryClient client, ImageReference reference, Platform platform) {
    this.client = client;
    this.reference = reference;
    this.platform = platform;
  }

  @Override
  public SourceImage resolve() throws IOException {
    ManifestResponse top = client.getManifest(reference);
    ImageDocument doc =
        ImageJson.parseDocument(top.bytes(), top.contentType(), reference.toString());
    ManifestResponse chosen = top;
    if (doc instanceof ImageIndex index) {
      Descriptor entry = PlatformSelector.select(index, platform, reference.toString());
      log.info("{}: index resolved to {} for {}", reference, entry.digest().shortForm(), platform);
      chosen = client.getManifest(reference, entry.digest().toString());
      doc =
          ImageJson.parseDocument(
              chosen.bytes(), chosen.contentType(), reference + "@" + entry.digest());
      if (!(doc instanceof ImageManifest)) {
        throw new ImageFormatException(
            reference + ": the index entry for " + platform + " is itself an index");
      }
    }
    ImageManifest manifest = (ImageManifest) doc;
    if (!MediaTypes.CONFIGS.contains(manifest.config().mediaType())) {
      throw new ImageFormatException(
          reference
              + ": config media type "
              + manifest.config().mediaType()
              + " is not an image config (an artifact, not an image?)");
    }
    byte[] configBytes = client.getBlob(reference, manifest.config(), MAX_CONFIG_BYTES);
    ImageConfig config =
        ImageJson.parseConfig(configBytes, reference + " config " + manifest.config().digest());
    return new SourceImage(
        reference,
        TargetNames.origin(reference, client.scheme(reference)),
        chosen.bytes(),
        manifest,
        manifest.config().digest(),
        config);
  }

  @Override
  public InputStream openBlob(Descriptor blob) throws IOException {
    return client.openBlob(reference, blob.digest());
  }

  @Override
  public String describe() {
    return reference.toString();
  }
}
