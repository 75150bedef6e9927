package io.cvmfsthin.thinimage.image;

/** What a manifest GET returns: one image manifest, or an index of them. */
public sealed interface ImageDocument permits ImageManifest, ImageIndex {
  /** The document's media type, e.g. {@link MediaTypes#DOCKER_MANIFEST}. */
  String mediaType();
}
