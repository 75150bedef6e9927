/**
 * The one home of what this system knows about Linux below the JDK, used by the FUSE client and the
 * driver alike: the libc binding ({@link io.cvmfsthin.cvmfs.linux.LibC}, through jnr-ffi), errno
 * values and their exceptions ({@link io.cvmfsthin.cvmfs.linux.Errno}, values from jnr-constants),
 * umount2(2) ({@link io.cvmfsthin.cvmfs.linux.Umount}), the mount table ({@link
 * io.cvmfsthin.cvmfs.linux.MountInfo}, core parsing of {@code /proc/self/mountinfo}) and glibc's
 * {@code dev_t} encoding ({@link io.cvmfsthin.cvmfs.linux.DeviceNumbers}, core). Edge where it
 * calls libc or reads {@code /proc}; no decisions.
 */
package io.cvmfsthin.cvmfs.linux;
