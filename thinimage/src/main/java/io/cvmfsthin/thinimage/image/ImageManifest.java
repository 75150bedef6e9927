package io.cvmfsthin.thinimage.image;

import java.util.List;

/**
 * An image manifest (Docker schema 2 or OCI): the config blob and the layers, bottom-first.
 *
 * @param mediaType {@link MediaTypes#DOCKER_MANIFEST} or {@link MediaTypes#OCI_MANIFEST}
 * @param config the config blob
 * @param layers the layer blobs, base layer first
 */
public record ImageManifest(String mediaType, Descriptor config, List<Descriptor> layers)
    implements ImageDocument {
  public ImageManifest {
    layers = List.copyOf(layers);
  }

  public boolean isOci() {
    return MediaTypes.OCI_MANIFEST.equals(mediaType);
  }
}
