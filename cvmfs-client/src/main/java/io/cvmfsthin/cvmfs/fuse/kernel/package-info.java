/**
 * The kernel's FUSE protocol spoken directly on {@code /dev/fuse}, without libfuse: the {@code
 * kernel} transport ({@code CVMFS_FUSE_TRANSPORT=kernel}).
 *
 * <p>Core (pure, unit-tested): {@code FuseProtocol} (opcodes, flags, struct sizes and offsets as
 * {@code include/uapi/linux/fuse.h} defines them), {@code NodeTable} (the node ids the kernel knows
 * and their lookup counts), {@code Requests} (one request in, one reply out, answered from {@link
 * io.cvmfsthin.cvmfs.fuse.RepositoryFiles}), {@code Replies} (the reply structs), {@code
 * BackingFiles} (one passthrough backing file per open node).
 *
 * <p>Edges: {@code FuseDevice} (open, one read(2) per request and one write(2) per reply from a
 * buffer holding header and body, the device ioctls and mount(2): the only syscalls here) and
 * {@link io.cvmfsthin.cvmfs.fuse.kernel.KernelFileSystem} (mount, the worker threads each reading
 * its own cloned device descriptor, unmount).
 */
package io.cvmfsthin.cvmfs.fuse.kernel;
