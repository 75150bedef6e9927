/**
 * Edge: a client of the Kubernetes Container Runtime Interface's image service ({@code
 * runtime.v1.ImageService}) over containerd's Unix socket, as kubelet uses it. Pulling through it
 * is what makes containerd's CRI plugin label each layer's snapshot ({@code
 * containerd.io/snapshot/cri.layer-digest}, {@code cri.image-ref}, ...) so a remote snapshotter can
 * answer from CVMFS; {@code ctr image pull} of containerd 1.6 sends no such labels. The messages
 * and the method descriptors ({@code ImageServiceGrpc}) are generated from {@code
 * src/main/proto/cri}.
 */
package io.cvmfsthin.plugin.cri;
