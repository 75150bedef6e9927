package io.cvmfsthin.driver.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One snapshot's metadata.
 *
 * @param id the directory name under {@code snapshots/}, never reused
 * @param name the key (active, view) or name (committed) containerd knows it by
 * @param parent the committed parent's name, or {@code ""}
 * @param kind its kind
 * @param created when it was made
 * @param updated when its labels last changed
 * @param labels containerd's labels
 * @param layers for a thin or remote committed snapshot, the CVMFS layer directories that stand for
 *     its {@code fs} in its children's lower dirs, top first; empty for an ordinary snapshot
 */
public record Snapshot(
    String id,
    String name,
    String parent,
    Kind kind,
    Instant created,
    Instant updated,
    Map<String, String> labels,
    List<LayerLocation> layers) {
  /** Copies the collections; labels sorted. */
  public Snapshot {
    labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    layers = List.copyOf(layers);
  }

  /** Whether its content is CVMFS layer directories rather than its own {@code fs}. */
  public boolean isCvmfs() {
    return !layers.isEmpty();
  }

  Snapshot withLabels(Map<String, String> newLabels, Instant now) {
    return new Snapshot(id, name, parent, kind, created, now, newLabels, layers);
  }
}
