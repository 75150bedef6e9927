package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.catalog.FileChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Random-access reads of a file's content for FUSE: the chunk holding the position is found by
 * binary search, fetched into the cache on first use and read from there; the cached file of the
 * chunk last read stays open. A file stored as one object is one chunk. Read-only; one reader at a
 * time (a FUSE handle), so no lock.
 */
final class FileContentChannel implements SeekableByteChannel {
  /** Returns the verified, cached content of one chunk. */
  @FunctionalInterface
  interface ChunkFiles {
    Path file(FileChunk chunk) throws IOException;
  }

  private final List<FileChunk> chunks;
  private final long size;
  private final ChunkFiles files;
  private long position;
  private int openIndex = -1;
  private FileChannel open; // the cached file of chunks.get(openIndex)
  private boolean closed;

  FileContentChannel(List<FileChunk> chunks, long size, ChunkFiles files) {
    this.chunks = List.copyOf(chunks);
    this.size = size;
    this.files = files;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    ensureOpen();
    if (position >= size) {
      return -1;
    }
    int index = chunkAt(position);
    FileChunk c = chunks.get(index);
    if (index != openIndex) {
      closeChunk();
      open = FileChannel.open(files.file(c), StandardOpenOption.READ);
      openIndex = index;
    }
    long within = position - c.offset();
    int want = (int) Math.min(dst.remaining(), c.sizeBytes() - within);
    ByteBuffer slice = dst.slice();
    slice.limit(want);
    int n = open.read(slice, within);
    if (n < 0) {
      throw new IOException("cached chunk at " + c.offset() + " is shorter than the catalog says");
    }
    dst.position(dst.position() + n);
    position += n;
    return n;
  }

  private int chunkAt(long pos) {
    int lo = 0;
    int hi = chunks.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (chunks.get(mid).offset() <= pos) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() throws IOException {
    ensureOpen();
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    ensureOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    ensureOpen();
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long newSize) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    closeChunk();
  }

  private void closeChunk() throws IOException {
    if (open != null) {
      open.close();
      open = null;
      openIndex = -1;
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (closed) {
      throw new ClosedChannelException();
    }
  }
}
