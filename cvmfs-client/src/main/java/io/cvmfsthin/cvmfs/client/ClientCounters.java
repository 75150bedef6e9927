package io.cvmfsthin.cvmfs.client;

/**
 * A snapshot of what a {@link RepositoryClient} has done since it was opened.
 *
 * @param downloads files fetched from a server (manifests, whitelists and objects)
 * @param downloadedBytes bytes received for them, as served (compressed)
 * @param failedFetches fetches that failed on every server
 * @param cacheHits object requests answered from the cache
 * @param cacheMisses object requests that had to fetch
 * @param cacheUsedBytes bytes the object cache holds now
 * @param cacheQuotaBytes the cache's quota, 0 for none
 */
public record ClientCounters(
    long downloads,
    long downloadedBytes,
    long failedFetches,
    long cacheHits,
    long cacheMisses,
    long cacheUsedBytes,
    long cacheQuotaBytes) {}
