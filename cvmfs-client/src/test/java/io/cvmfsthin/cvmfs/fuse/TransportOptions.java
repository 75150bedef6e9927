package io.cvmfsthin.cvmfs.fuse;

/**
 * The mount options of the FUSE integration tests, with the transport they run with. Apart from
 * {@link FuseTests} so the benchmarks (which use {@code PublishedRepo}, hence FuseTests) still load
 * against client classes older than {@link FuseTransport} (the *-vs-base.sh scripts).
 */
final class TransportOptions {
  /**
   * The FUSE transport the integration tests mount with: {@code -Dit.fuse.transport=kernel} (the
   * pom's second failsafe run) or libfuse by default (the first run: the mounts' own default, the
   * kernel transport for root, is the second run's).
   */
  static final FuseTransport TRANSPORT =
      FuseTransport.parse(System.getProperty("it.fuse.transport", "libfuse"));

  /** {@link MountOptions#PLAIN} with {@link #TRANSPORT}. */
  static final MountOptions PLAIN = MountOptions.PLAIN.withTransport(TRANSPORT);

  /** {@link MountOptions#LAYER_VIEW} with {@link #TRANSPORT}. */
  static final MountOptions LAYER_VIEW = MountOptions.LAYER_VIEW.withTransport(TRANSPORT);

  private TransportOptions() {}
}
