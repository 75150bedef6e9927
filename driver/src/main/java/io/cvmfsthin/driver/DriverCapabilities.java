package io.cvmfsthin.driver;

/**
 * The answer to {@code Capabilities}.
 *
 * @param reproducesExactDiffs false: dockerd keeps tar-split data and never relies on {@code Diff}
 *     being byte-identical (spec §4.2)
 */
public record DriverCapabilities(boolean reproducesExactDiffs) {}
