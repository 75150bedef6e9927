package io.cvmfsthin.cvmfs.sqlite;

import io.cvmfsthin.cvmfs.object.ContentHash;

/**
 * One {@code nested_catalogs} row: where a child catalog is mounted, its hash and its uncompressed
 * size (0 when the catalog's schema revision does not record it).
 */
public record NestedCatalogRef(String mountpoint, ContentHash hash, long sizeBytes) {}
