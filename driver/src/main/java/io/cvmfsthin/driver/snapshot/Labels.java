package io.cvmfsthin.driver.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** containerd's label rules and the label names this snapshotter reads or writes. */
public final class Labels {
  private Labels() {}

  /** containerd's limit on a key and value together (labels.Validate). */
  public static final int MAX_PAIR_BYTES = 4096;

  /** Prepare: the committed name the layer's snapshot will get (remote snapshotters). */
  public static final String TARGET_REF = "containerd.io/snapshot.ref";

  /** Prepare: the layer's digest, set by CRI (and by pullers that ask for remote snapshots). */
  public static final String LAYER_DIGEST = "containerd.io/snapshot/cri.layer-digest";

  /** Marks a snapshot committed from a CVMFS layer found by digest. */
  public static final String REMOTE = "containerd.io/snapshot/remote";

  /** Where a remote snapshot's layer lives ({@code cvmfs://fqrn/path}). */
  public static final String REMOTE_LOCATION = "io.cvmfsthin/remote-location";

  /**
   * Refuses a pair over {@link #MAX_PAIR_BYTES} or an empty key, naming the snapshot and the key.
   */
  static void validate(String snapshot, Map<String, String> labels) throws SnapshotException {
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (e.getKey().isEmpty()) {
        throw new SnapshotException(
            SnapshotException.Reason.INVALID_ARGUMENT,
            "snapshot " + snapshot + ": empty label key");
      }
      int bytes =
          e.getKey().getBytes(StandardCharsets.UTF_8).length
              + e.getValue().getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_PAIR_BYTES) {
        throw new SnapshotException(
            SnapshotException.Reason.INVALID_ARGUMENT,
            "snapshot "
                + snapshot
                + ": label "
                + shorten(e.getKey())
                + " is "
                + bytes
                + " bytes with its value, over the limit of "
                + MAX_PAIR_BYTES);
      }
    }
  }

  private static String shorten(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
