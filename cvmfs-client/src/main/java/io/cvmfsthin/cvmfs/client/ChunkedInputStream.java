package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.catalog.FileChunk;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The content of a chunked file: each chunk is opened (fetched if needed) when reading reaches it.
 */
final class ChunkedInputStream extends InputStream {
  /** Opens the verified content of one chunk. */
  @FunctionalInterface
  interface ChunkOpener {
    InputStream open(FileChunk chunk) throws IOException;
  }

  private final List<FileChunk> chunks;
  private final ChunkOpener opener;
  private int next;
  private InputStream current; // owned; closed when exhausted or on close()

  ChunkedInputStream(List<FileChunk> chunks, ChunkOpener opener) {
    this.chunks = List.copyOf(chunks);
    this.opener = opener;
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
        current = opener.open(chunks.get(next++));
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
