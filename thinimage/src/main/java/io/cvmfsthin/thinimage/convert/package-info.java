/**
 * Edge: the converter. Takes an image from a registry, a {@code docker save} tarball or an OCI
 * layout directory, publishes each layer into a CernVM-FS repository in DUCC's layout ({@code
 * .layers/<h2>/<digest>/layerfs} plus {@code .metadata}, thin-image.md §4), writes the image's
 * metadata last, then builds and pushes the thin image (§1.6, §3.3). The pure parts ({@link
 * io.cvmfsthin.thinimage.convert.LayerLayout}, {@link
 * io.cvmfsthin.thinimage.convert.LayerMetadata}, {@link
 * io.cvmfsthin.thinimage.convert.ThinImageBuilder}, {@link
 * io.cvmfsthin.thinimage.convert.TargetNames}) decide; {@link
 * io.cvmfsthin.thinimage.convert.Converter} does the I/O in order.
 */
package io.cvmfsthin.thinimage.convert;
