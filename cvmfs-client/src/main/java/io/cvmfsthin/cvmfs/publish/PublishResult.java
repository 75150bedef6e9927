package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.object.ContentHash;

/**
 * The repository after a publish or a transaction.
 *
 * @param revision the manifest's S (unchanged if nothing was published)
 * @param rootCatalog the manifest's C
 * @param changed whether a new revision was made; false when nothing was applied (each {@link
 *     Publication.Mode#ADD_IF_ABSENT} publication found its path present)
 * @param newObjects objects this publish added to {@code data/} (deduplicated ones not counted)
 * @param newObjectBytes their size on disk, in bytes
 */
public record PublishResult(
    long revision, ContentHash rootCatalog, boolean changed, int newObjects, long newObjectBytes) {}
