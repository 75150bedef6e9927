/**
 * The read-only FUSE mount of a CernVM-FS repository.
 *
 * <p>Core (pure, unit-tested): {@link io.cvmfsthin.cvmfs.fuse.LayerRoots}, (whiteout names come
 * from {@code io.cvmfsthin.cvmfs.tar.Whiteouts}), {@code RepositoryView} (the plain view and the
 * overlay-ready layer view, with an in-memory entry cache and per-directory indexes per revision),
 * {@code PageCachePolicy}, {@code MagicXattrs}, {@code Inodes}, {@code Symlinks}, {@code
 * MountTable}.
 *
 * <p>Edges: {@link io.cvmfsthin.cvmfs.fuse.RepositoryFiles} (what a mount answers, whichever
 * transport carries the requests: open files by handle, page-cache decisions, xattrs; every
 * exception is mapped to an errno in one place), {@link io.cvmfsthin.cvmfs.fuse.FuseServer} (one
 * FUSE transport, chosen by {@link io.cvmfsthin.cvmfs.fuse.FuseTransport}: {@code CvmfsFileSystem},
 * the jnr-fuse callbacks of libfuse 2, or {@code fuse.kernel}, the kernel protocol spoken
 * directly), {@code FuseWorkers} (libfuse's session loop on named JVM threads), {@code Stats} (the
 * only writer of jnr structs), {@code FuseMount} (one mounted file system: the libfuse loop,
 * revision polling, unmount), {@code Unmounter} (umount2(2)), and the public entry points {@link
 * io.cvmfsthin.cvmfs.fuse.MountedRepositories} (reference-counted mounts for the graph driver) and
 * {@link io.cvmfsthin.cvmfs.fuse.RepositoryMount} (one mount, for the {@code mount} command).
 */
package io.cvmfsthin.cvmfs.fuse;
