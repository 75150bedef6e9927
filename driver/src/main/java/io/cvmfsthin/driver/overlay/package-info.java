/**
 * Core: overlay mounts as data. {@link io.cvmfsthin.driver.overlay.OverlayMount} computes the mount
 * options (relative to the driver home, so they fit in a page and a {@code :} in the home path does
 * not matter), {@link io.cvmfsthin.cvmfs.linux.MountInfo} parses {@code /proc/self/mountinfo};
 * {@link io.cvmfsthin.driver.overlay.Mounter} is the port to mount(2).
 */
package io.cvmfsthin.driver.overlay;
