/**
 * Remote layers by digest: whether a configured CVMFS repository holds an ordinary image's layer,
 * unpacked and complete, at the converter's (and DUCC's) {@code /.layers/<h2>/<hex>/layerfs}, so a
 * containerd snapshotter can take the layer from CVMFS instead of downloading it. {@link
 * io.cvmfsthin.driver.remote.RemoteLayerIndex} is core (the paths and the decision); {@link
 * io.cvmfsthin.driver.remote.RepositoryCatalogs} is its port to the repositories' catalogs and
 * {@link io.cvmfsthin.driver.remote.ClientCatalogs} the edge that answers it with the CVMFS
 * client's catalog lookups, without a FUSE mount.
 */
package io.cvmfsthin.driver.remote;
