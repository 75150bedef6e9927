package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.object.ContentHash;

/**
 * The repository after a publish.
 *
 * @param revision the manifest's S (unchanged if nothing was published)
 * @param rootCatalog the manifest's C
 * @param changed false when {@link Publication.Mode#ADD_IF_ABSENT} found the path present
 * @param newObjects objects this publish added to {@code data/} (deduplicated ones not counted)
 */
public record PublishResult(
    long revision, ContentHash rootCatalog, boolean changed, int newObjects) {}
