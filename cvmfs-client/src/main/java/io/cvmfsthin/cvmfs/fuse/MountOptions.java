package io.cvmfsthin.cvmfs.fuse;

import java.time.Duration;
import java.util.Objects;

/**
 * How a repository is mounted.
 *
 * @param layerRoots where the layer view applies; {@link LayerRoots#NONE} for the plain view
 * @param allowOther let every user (and overlayfs on behalf of containers) use the mount
 * @param mountTimeout how long to wait for the kernel to accept the mount
 * @param maxCachedPaths entries (present or absent) kept in memory per revision
 * @param transport which code speaks FUSE to the kernel ({@code CVMFS_FUSE_TRANSPORT})
 */
public record MountOptions(
    LayerRoots layerRoots,
    boolean allowOther,
    Duration mountTimeout,
    int maxCachedPaths,
    FuseTransport transport) {

  /** The plain view for every user: what the stock client shows. */
  public static final MountOptions PLAIN =
      new MountOptions(LayerRoots.NONE, true, Duration.ofSeconds(30), 500_000, FuseTransport.AUTO);

  /** The layer view of DUCC-style {@code /.layers/<h2>/<hex>/layerfs} directories. */
  public static final MountOptions LAYER_VIEW = PLAIN.withLayerRoots(LayerRoots.DUCC);

  public MountOptions {
    Objects.requireNonNull(layerRoots, "layerRoots");
    Objects.requireNonNull(mountTimeout, "mountTimeout");
    Objects.requireNonNull(transport, "transport");
    if (maxCachedPaths < 16) {
      throw new IllegalArgumentException("maxCachedPaths < 16: " + maxCachedPaths);
    }
  }

  /** The default transport ({@link FuseTransport#AUTO}). */
  public MountOptions(
      LayerRoots layerRoots, boolean allowOther, Duration mountTimeout, int maxCachedPaths) {
    this(layerRoots, allowOther, mountTimeout, maxCachedPaths, FuseTransport.AUTO);
  }

  public MountOptions withLayerRoots(LayerRoots roots) {
    return new MountOptions(roots, allowOther, mountTimeout, maxCachedPaths, transport);
  }

  public MountOptions withAllowOther(boolean allow) {
    return new MountOptions(layerRoots, allow, mountTimeout, maxCachedPaths, transport);
  }

  public MountOptions withTransport(FuseTransport t) {
    return new MountOptions(layerRoots, allowOther, mountTimeout, maxCachedPaths, t);
  }
}
