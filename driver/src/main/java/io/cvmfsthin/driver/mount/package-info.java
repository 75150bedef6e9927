/**
 * Edge: mount(2) and umount2(2) for overlay ({@link io.cvmfsthin.driver.mount.LibcMounter}),
 * through the libc binding and the mount table of {@code io.cvmfsthin.cvmfs.linux}. No decisions
 * here; the overlay options come from {@link io.cvmfsthin.driver.overlay.OverlayMount}.
 */
package io.cvmfsthin.driver.mount;
