/**
 * Edge: HTTP (and {@code file://}) access to a stratum. Servers come from {@code CVMFS_SERVER_URL}
 * ({@code ;}-separated, {@code @fqrn@}/{@code @org@}), proxies from {@code CVMFS_HTTP_PROXY}
 * ({@code ;} groups, {@code |} members, {@code DIRECT}). A request fails over to the next server on
 * an error, a timeout or content its handler refuses; transfer errors are retried with backoff.
 * Bodies are streamed to a handler, never held in memory here.
 */
package io.cvmfsthin.cvmfs.fetch;
