package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient;
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
 * @param supervisor the supervisor that keeps the mount across restarts of this process, or null
 *     (kernel transport only)
 */
public record MountOptions(
    LayerRoots layerRoots,
    boolean allowOther,
    Duration mountTimeout,
    int maxCachedPaths,
    FuseTransport transport,
    SupervisorClient supervisor) {

  /** The plain view for every user: what the stock client shows. */
  public static final MountOptions PLAIN =
      new MountOptions(
          LayerRoots.NONE, true, Duration.ofSeconds(30), 500_000, FuseTransport.AUTO, null);

  /** The layer view of DUCC-style {@code /.layers/<h2>/<hex>/layerfs} directories. */
  public static final MountOptions LAYER_VIEW = PLAIN.withLayerRoots(LayerRoots.DUCC);

  public MountOptions {
    Objects.requireNonNull(layerRoots, "layerRoots");
    Objects.requireNonNull(mountTimeout, "mountTimeout");
    Objects.requireNonNull(transport, "transport");
    if (supervisor != null && transport != FuseTransport.KERNEL) {
      throw new IllegalArgumentException("a supervised mount needs the kernel transport");
    }
    if (maxCachedPaths < 16) {
      throw new IllegalArgumentException("maxCachedPaths < 16: " + maxCachedPaths);
    }
  }

  /** The default transport ({@link FuseTransport#AUTO}). */
  public MountOptions(
      LayerRoots layerRoots, boolean allowOther, Duration mountTimeout, int maxCachedPaths) {
    this(layerRoots, allowOther, mountTimeout, maxCachedPaths, FuseTransport.AUTO, null);
  }

  public MountOptions withLayerRoots(LayerRoots roots) {
    return new MountOptions(roots, allowOther, mountTimeout, maxCachedPaths, transport, supervisor);
  }

  public MountOptions withAllowOther(boolean allow) {
    return new MountOptions(layerRoots, allow, mountTimeout, maxCachedPaths, transport, supervisor);
  }

  /** With transport {@code t}; a supervised mount keeps the kernel transport it needs. */
  public MountOptions withTransport(FuseTransport t) {
    FuseTransport chosen = supervisor != null ? FuseTransport.KERNEL : t;
    return new MountOptions(
        layerRoots, allowOther, mountTimeout, maxCachedPaths, chosen, supervisor);
  }

  /** Supervised by {@code s} (null: not), with the kernel transport a supervisor needs. */
  public MountOptions withSupervisor(SupervisorClient s) {
    FuseTransport t = s == null ? transport : FuseTransport.KERNEL;
    return new MountOptions(layerRoots, allowOther, mountTimeout, maxCachedPaths, t, s);
  }
}
