/**
 * Recorded prefetch (issue 12, item 2): the list of files a container of a thin image opened first,
 * in order of first open, and its replay on the next start of that image.
 *
 * <p>Core: {@link io.cvmfsthin.cvmfs.prefetch.PrefetchList} (the file format, read with bounds),
 * {@link io.cvmfsthin.cvmfs.prefetch.ChainKey} (which image a list belongs to), {@link
 * io.cvmfsthin.cvmfs.prefetch.LayerDirs} (which paths belong to the image), {@link
 * io.cvmfsthin.cvmfs.prefetch.PrefetchRecorder} (what is recorded). Edges: {@link
 * io.cvmfsthin.cvmfs.prefetch.Prefetcher} (bounded parallel replay over an {@link
 * io.cvmfsthin.cvmfs.prefetch.ObjectFetch}), {@link io.cvmfsthin.cvmfs.prefetch.ClientObjectFetch}
 * (that fetch over a {@code RepositoryClient}) and {@link
 * io.cvmfsthin.cvmfs.prefetch.PrefetchPublication} (a list into a repository).
 */
package io.cvmfsthin.cvmfs.prefetch;
