/**
 * Edge contract: what the client reports while it works (fetches, cache, FUSE calls, mounts), as
 * two small interfaces whose defaults do nothing. The application ({@code plugin}) implements them
 * on a metrics library and hands one {@link io.cvmfsthin.cvmfs.metrics.ClientMetrics} in through
 * {@link io.cvmfsthin.cvmfs.client.ClientSettings}; this module stays free of that library.
 */
package io.cvmfsthin.cvmfs.metrics;
