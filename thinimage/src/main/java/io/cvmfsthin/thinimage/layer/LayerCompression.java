package io.cvmfsthin.thinimage.layer;

import io.cvmfsthin.thinimage.image.MediaTypes;

/**
 * How a layer blob is compressed. The media type says which are allowed; the first bytes decide
 * (dockerd does the same: many "tar.gzip" layers in the wild are plain tars).
 */
public enum LayerCompression {
  GZIP,
  ZSTD,
  NONE;

  /**
   * Checks that {@code mediaType} is a layer type we can unpack.
   *
   * @throws LayerFormatException naming the type and the layer
   */
  public static void checkMediaType(String mediaType, String where) throws LayerFormatException {
    if (!MediaTypes.LAYERS.contains(mediaType)) {
      throw new LayerFormatException(
          where
              + ": unknown layer media type "
              + mediaType
              + " (supported: tar, tar+gzip,"
              + " tar+zstd in Docker or OCI form)");
    }
  }

  /** The compression the first bytes of a blob show; anything unknown is taken as plain tar. */
  public static LayerCompression detect(byte[] head, int length) {
    if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (length >= 4
        && (head[0] & 0xff) == 0x28
        && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return ZSTD;
    }
    return NONE;
  }
}
