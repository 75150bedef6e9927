package io.cvmfsthin.cvmfs.fuse;

import java.util.List;

/**
 * The FUSE transports a benchmark measures, in order: {@code -Dbench.transports=libfuse,kernel}
 * (default {@code libfuse}), so both are measured in the same run beside the same baselines. Names
 * stay strings until a mount is made, so the benchmarks also run against client classes older than
 * {@link FuseTransport} (the *-vs-base.sh scripts): there every transport is libfuse.
 */
final class BenchTransports {
  private BenchTransports() {}

  static List<String> list() {
    return List.of(System.getProperty("bench.transports", "libfuse").split(","));
  }

  /** {@link MountOptions#PLAIN} with {@code transport}; libfuse on classes without transports. */
  static MountOptions plain(String transport) {
    try {
      return MountOptions.PLAIN.withTransport(FuseTransport.parse(transport));
    } catch (LinkageError e) {
      System.err.println("these client classes have no FUSE transports: mounting with libfuse");
      return MountOptions.PLAIN;
    }
  }

  /**
   * The RESULT key suffix: none for libfuse (keys as before), {@code _kernel} for the kernel; a
   * base build without transports labels its libfuse figures the same, so head ÷ base pairs them.
   */
  static String suffix(String transport) {
    return transport.equals("libfuse") ? "" : "_" + transport;
  }
}
