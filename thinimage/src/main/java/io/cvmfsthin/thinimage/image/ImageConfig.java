package io.cvmfsthin.thinimage.image;

import io.cvmfsthin.thinimage.reference.Digest;
import java.util.List;

/**
 * An image config: platform, runtime config and the uncompressed layer digests.
 *
 * @param created the creation time exactly as written (RFC 3339), or {@code null}
 * @param os e.g. {@code linux}
 * @param architecture e.g. {@code amd64}
 * @param variant e.g. {@code v8}, or {@code null}
 * @param config the runtime config
 * @param diffIds {@code rootfs.diff_ids}: sha256 of each uncompressed layer tar, bottom-first
 */
public record ImageConfig(
    String created,
    String os,
    String architecture,
    String variant,
    ContainerConfig config,
    List<Digest> diffIds) {
  public ImageConfig {
    config = config == null ? ContainerConfig.EMPTY : config;
    diffIds = List.copyOf(diffIds);
  }

  public Platform platform() {
    return new Platform(os, architecture, variant);
  }
}
