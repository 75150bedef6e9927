/**
 * The second front end: containerd's snapshots service ({@code
 * containerd.services.snapshots.v1.Snapshots}) over gRPC on a Unix socket, a thin translation onto
 * {@link io.cvmfsthin.driver.snapshot.SnapshotStore}. {@link
 * io.cvmfsthin.plugin.containerd.SnapshotsService} and {@link
 * io.cvmfsthin.plugin.containerd.Statuses} are core (messages in, messages out, one error mapping);
 * {@link io.cvmfsthin.plugin.containerd.SnapshotterServer} is the edge (socket, event loops).
 */
package io.cvmfsthin.plugin.containerd;
