package io.cvmfsthin.cvmfs.catalog;

import io.cvmfsthin.cvmfs.object.ContentHash;

/** One row of the {@code chunks} table: uncompressed offset and size, object hash (suffix P). */
public record FileChunk(long offset, long sizeBytes, ContentHash hash) {
  public FileChunk {
    if (offset < 0 || sizeBytes < 0) {
      throw new IllegalArgumentException("chunk at " + offset + " of " + sizeBytes + " bytes");
    }
  }
}
