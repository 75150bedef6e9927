package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.object.ContentHash;
import java.util.List;

/**
 * Where a regular file's bytes went: one object ({@code hash}, no chunks) or several chunk objects
 * (suffix P, {@code hash} null).
 */
record FileContent(long sizeBytes, ContentHash hash, List<FileChunk> chunks) {
  FileContent {
    chunks = List.copyOf(chunks);
    if ((hash == null) == chunks.isEmpty()) {
      throw new IllegalStateException("a file has either one hash or chunks");
    }
  }

  boolean chunked() {
    return !chunks.isEmpty();
  }
}
