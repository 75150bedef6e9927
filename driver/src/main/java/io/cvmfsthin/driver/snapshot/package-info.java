/**
 * The containerd snapshotter's store: snapshots (active, view, committed) with parent chains and
 * labels, laid out as containerd's overlayfs snapshotter lays them out ({@code snapshots/<id>/fs},
 * {@code work}), their mounts as that snapshotter returns them, and thin and remote snapshots whose
 * lower dirs are CVMFS layer directories. Core: {@link io.cvmfsthin.driver.snapshot.Snapshot},
 * {@link io.cvmfsthin.driver.snapshot.SnapshotMounts}, {@link io.cvmfsthin.driver.snapshot.Labels},
 * {@link io.cvmfsthin.driver.snapshot.Filters}; edge: {@link
 * io.cvmfsthin.driver.snapshot.SnapshotStore} (directories, the metadata file, repository
 * references). The gRPC front end lives in the plugin.
 */
package io.cvmfsthin.driver.snapshot;
