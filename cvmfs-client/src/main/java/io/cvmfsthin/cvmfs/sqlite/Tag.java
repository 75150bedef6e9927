package io.cvmfsthin.cvmfs.sqlite;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.time.Instant;

/**
 * One named revision from the history database (spec §9.1): {@code trunk}, {@code trunk-previous}
 * or a tag given at publish time.
 */
public record Tag(
    String name, ContentHash rootCatalog, long revision, Instant timestamp, String description) {}
