/**
 * Edge: mount(2) and umount2(2) through jnr-ffi ({@link io.cvmfsthin.driver.mount.LibcMounter}) and
 * the mount table from {@code /proc/self/mountinfo}. No decisions here; the overlay options come
 * from {@link io.cvmfsthin.driver.overlay.OverlayMount}.
 */
package io.cvmfsthin.driver.mount;
