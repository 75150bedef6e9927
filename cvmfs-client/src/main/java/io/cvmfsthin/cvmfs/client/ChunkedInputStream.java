package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.catalog.FileChunk;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The content of a chunked file: each chunk is opened (fetched if needed) when reading reaches it,
 * and when it is, the next {@code readahead} chunks are asked for in the background, so they are
 * fetched in parallel while this one is read. One reader at a time, so no lock.
 */
final class ChunkedInputStream extends InputStream {
  /** Opens the verified content of one chunk. */
  @FunctionalInterface
  interface ChunkOpener {
    InputStream open(FileChunk chunk) throws IOException;
  }

  /** Starts fetching a chunk in the background; returns at once. */
  @FunctionalInterface
  interface ChunkPrefetcher {
    void fetchAhead(FileChunk chunk);
  }

  private final List<FileChunk> chunks;
  private final ChunkOpener opener;
  private final ChunkPrefetcher prefetcher;
  private final int readahead;
  private int next;
  private int aheadUpTo; // chunks below this index were opened or asked for in the background
  private InputStream current; // owned; closed when exhausted or on close()

  ChunkedInputStream(List<FileChunk> chunks, ChunkOpener opener) {
    this(chunks, opener, c -> {}, 0);
  }

  ChunkedInputStream(
      List<FileChunk> chunks, ChunkOpener opener, ChunkPrefetcher prefetcher, int readahead) {
    this.chunks = List.copyOf(chunks);
    this.opener = opener;
    this.prefetcher = prefetcher;
    this.readahead = readahead;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (current == null) {
        if (next >= chunks.size()) {
          return -1;
        }
        int index = next++;
        aheadUpTo = Math.max(aheadUpTo, index + 1);
        for (int end = Math.min(chunks.size(), index + 1 + readahead); aheadUpTo < end; ) {
          prefetcher.fetchAhead(chunks.get(aheadUpTo++));
        }
        current = opener.open(chunks.get(index));
      }
      int n = current.read(b, off, len);
      if (n >= 0) {
        return n;
      }
      current.close();
      current = null;
    }
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
    next = chunks.size();
  }
}
