package io.cvmfsthin.driver.snapshot;

import java.util.List;

/**
 * A mount as containerd's {@code mount.Mount} describes it (the snapshotter returns them,
 * containerd performs them).
 */
public record SnapshotMount(String type, String source, List<String> options) {
  public SnapshotMount {
    options = List.copyOf(options);
  }
}
