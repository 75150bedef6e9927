package io.cvmfsthin.thinimage.convert;

/**
 * Choices of one conversion.
 *
 * @param ociManifest push the thin image with an OCI manifest instead of Docker schema 2
 * @param pushThinImage push the thin image (false: only fill the repository)
 */
public record ConvertOptions(boolean ociManifest, boolean pushThinImage) {
  public static final ConvertOptions DEFAULT = new ConvertOptions(false, true);
}
