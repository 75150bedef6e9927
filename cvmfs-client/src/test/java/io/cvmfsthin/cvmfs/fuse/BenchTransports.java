package io.cvmfsthin.cvmfs.fuse;

import java.util.ArrayList;
import java.util.List;

/**
 * The FUSE transports a benchmark measures, in order: {@code -Dbench.transports=libfuse,kernel}
 * (default {@code libfuse}), so both are measured in the same run beside the same baselines.
 */
final class BenchTransports {
  private BenchTransports() {}

  static List<FuseTransport> list() {
    List<FuseTransport> out = new ArrayList<>();
    for (String t : System.getProperty("bench.transports", "libfuse").split(",")) {
      out.add(FuseTransport.parse(t));
    }
    return out;
  }

  /** The RESULT key suffix: none for libfuse (as before), {@code _kernel} for the kernel. */
  static String suffix(FuseTransport t) {
    return t == FuseTransport.LIBFUSE ? "" : "_" + t.configName();
  }
}
