package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.thin.CvmfsUrl;

/**
 * Where things live inside the repository (thin-image.md §4.2, §4.6), as repository paths with a
 * leading slash. Layers are keyed by their compressed blob digest, as DUCC and the containerd
 * snapshotter key them.
 */
public final class LayerLayout {
  public static final String LAYERS = "/.layers";
  public static final String METADATA = "/.metadata";

  private LayerLayout() {}

  /** {@code /.layers/<h2>}, a nested catalog. */
  public static String fanOutDir(Digest layer) {
    return LAYERS + "/" + layer.fanOut();
  }

  /** {@code /.layers/<h2>/<hex>}. */
  public static String layerDir(Digest layer) {
    return fanOutDir(layer) + "/" + layer.hex();
  }

  /** {@code /.layers/<h2>/<hex>/layerfs}, the unpacked layer, a nested catalog. */
  public static String layerFs(Digest layer) {
    return layerDir(layer) + "/layerfs";
  }

  /** {@code /.layers/<h2>/<hex>/.metadata}. */
  public static String layerMetadataDir(Digest layer) {
    return layerDir(layer) + "/.metadata";
  }

  /** The file whose presence says the layer is complete. */
  public static String layerCompleteMarker(Digest layer) {
    return layerMetadataDir(layer) + "/layers.json";
  }

  /**
   * {@code /.metadata/<registry>/<repository>:<tag>} (or {@code @sha256:...} when only a digest
   * names the image); holds {@code manifest.json}, written last.
   */
  public static String imageMetadataDir(ImageReference image) {
    String ref = image.tag() != null ? ":" + image.tag() : "@" + image.digest();
    return METADATA + "/" + image.registry() + "/" + image.repository() + ref;
  }

  /** The thin.json URL of a layer: {@code cvmfs://<fqrn>/.layers/<h2>/<hex>/layerfs}. */
  public static CvmfsUrl url(String fqrn, Digest layer) {
    return new CvmfsUrl(fqrn, layerFs(layer).substring(1));
  }
}
