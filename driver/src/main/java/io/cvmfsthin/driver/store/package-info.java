/**
 * Edge: the layer directories under the driver home ({@link io.cvmfsthin.driver.store.LayerStore},
 * overlay2's layout) and the libc calls behind the archive ports ({@link
 * io.cvmfsthin.driver.store.LibcXattrs}, {@link io.cvmfsthin.driver.store.LibcDeviceNodes}, {@link
 * io.cvmfsthin.driver.store.LibcFileMetadata}, {@link io.cvmfsthin.driver.store.LibcSymlinks}).
 */
package io.cvmfsthin.driver.store;
