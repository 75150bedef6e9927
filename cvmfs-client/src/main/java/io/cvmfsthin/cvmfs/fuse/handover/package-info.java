/**
 * Keeping FUSE mounts alive across a restart of the process that serves them (edge): a supervisor
 * process holds every mount's {@code /dev/fuse} descriptors in a {@link
 * io.cvmfsthin.cvmfs.fuse.handover.DescriptorStore}; the worker ({@link
 * io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient}) puts them there after mounting and a
 * restarted worker takes them back. {@code UnixSocket} is the one class with socket syscalls
 * (SCM_RIGHTS).
 */
package io.cvmfsthin.cvmfs.fuse.handover;
