package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.image.ImageConfig;
import io.cvmfsthin.thinimage.image.ImageManifest;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;

/**
 * The image to convert, resolved to one platform.
 *
 * @param name the image's name, for {@code .metadata/<registry>/<repository>:<tag>} and the default
 *     target
 * @param origin the descriptor's {@code origin}
 * @param manifestBytes the platform manifest as served (or, for a {@code docker save}, as made)
 * @param manifest that manifest
 * @param configDigest the config blob's digest
 * @param config the config
 */
public record SourceImage(
    ImageReference name,
    String origin,
    byte[] manifestBytes,
    ImageManifest manifest,
    Digest configDigest,
    ImageConfig config) {

  public Digest manifestDigest() {
    return Digest.of(manifestBytes);
  }
}
