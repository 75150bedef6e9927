package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * fuse edge: one open regular file, keyed by the handle {@code open} returned. It reads the
 * revision it was opened in: the entry and its chunk list are fixed at open. A file stored as one
 * object is fetched at open and its cached copy kept open (an evicted copy stays readable); the
 * chunks of a chunked file are fetched as reads reach them, and up to {@link #KEPT_CHUNKS} of them
 * stay open. A read that goes on from the chunk read last (or the one before it) asks for the next
 * {@link ObjectFiles#readaheadChunks()} chunks in the background, so a sequential read finds them
 * fetched or in flight; random reads fetch only what they touch. No lock is held while fetching.
 * Thread-safe: concurrent reads on one handle are fine.
 */
final class OpenFile implements AutoCloseable {
  static final int KEPT_CHUNKS = 64;

  /** The verified, inflated content of an object as a cached file, fetched if needed. */
  @FunctionalInterface
  interface ObjectFiles {
    Path get(ContentHash hash, ObjectType type, long sizeBytes) throws IOException;

    /** Starts fetching an object in the background; returns at once. */
    default void fetchAhead(ContentHash hash, ObjectType type, long sizeBytes) {}

    /** How many chunks after the one read to fetch ahead; 0 for none. */
    default int readaheadChunks() {
      return 0;
    }
  }

  /** The objects of {@code client}, with its read-ahead; {@code compression} is the file's. */
  static ObjectFiles objectFiles(RepositoryClient client, Compression compression) {
    return new ObjectFiles() {
      @Override
      public Path get(ContentHash hash, ObjectType type, long sizeBytes) throws IOException {
        return client.objectFile(hash, type, compression, sizeBytes);
      }

      @Override
      public void fetchAhead(ContentHash hash, ObjectType type, long sizeBytes) {
        client.fetchAsync(hash, type, compression, sizeBytes);
      }

      @Override
      public int readaheadChunks() {
        return client.readaheadChunks();
      }
    };
  }

  private final DirectoryEntry entry;
  private final List<FileChunk> chunks;
  private final long[] offsets;
  private final ObjectFiles objects;
  private final FileChannel whole; // null for chunked files
  private final int wholeFd; // the same file as a plain descriptor for splicing reads, or -1
  private final AtomicReferenceArray<FileChannel> kept; // chunk index -> open channel
  private final int readahead;
  private volatile int lastChunkRead = -1; // a hint: racing readers may overwrite each other
  private final AtomicInteger aheadUpTo = new AtomicInteger(); // chunks below were asked for

  private OpenFile(
      DirectoryEntry entry,
      List<FileChunk> chunks,
      ObjectFiles objects,
      FileChannel whole,
      int wholeFd) {
    this.entry = entry;
    this.wholeFd = wholeFd;
    this.chunks = List.copyOf(chunks);
    this.objects = objects;
    this.whole = whole;
    this.offsets = new long[this.chunks.size()];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = this.chunks.get(i).offset();
    }
    this.kept = new AtomicReferenceArray<>(Math.min(KEPT_CHUNKS, this.chunks.size()));
    this.readahead = this.chunks.size() > 1 ? Math.max(0, objects.readaheadChunks()) : 0;
  }

  /** Opens {@code entry}; fetches a not chunked file's object now. */
  static OpenFile open(DirectoryEntry entry, List<FileChunk> chunks, ObjectFiles objects)
      throws IOException {
    return open(entry, chunks, objects, false);
  }

  /**
   * Like {@link #open(DirectoryEntry, List, ObjectFiles)}; with {@code withFd}, a not chunked file
   * also keeps a plain descriptor of its cached copy for {@link #fd} (none if that open fails).
   */
  static OpenFile open(
      DirectoryEntry entry, List<FileChunk> chunks, ObjectFiles objects, boolean withFd)
      throws IOException {
    if (!chunks.isEmpty()) {
      return new OpenFile(entry, chunks, objects, null, -1);
    }
    if (entry.hash() == null) {
      throw new IOException(entry.path() + ": regular file without content hash or chunks");
    }
    for (int attempt = 0; ; attempt++) {
      Path file = objects.get(entry.hash(), ObjectType.FILE, entry.sizeBytes());
      FileChannel ch;
      try {
        ch = FileChannel.open(file);
      } catch (NoSuchFileException e) {
        if (attempt > 0) {
          throw e; // evicted twice between fetch and open: the quota is far too small
        }
        continue;
      }
      int fd = withFd ? NativeFiles.openReadOnly(file) : -1; // -1: evicted meanwhile, no splice
      return new OpenFile(entry, chunks, objects, ch, fd);
    }
  }

  /**
   * A plain descriptor of the whole cached content, open until {@link #close}, or -1 (a chunked
   * file, or none was asked for): a reader may hand it to the kernel to splice from.
   */
  int fd() {
    return wholeFd;
  }

  DirectoryEntry entry() {
    return entry;
  }

  /** Reads up to {@code dst.remaining()} bytes at {@code position}; fewer only at the end. */
  int read(ByteBuffer dst, long position) throws IOException {
    long size = entry.sizeBytes();
    if (position >= size) {
      return 0;
    }
    if (dst.remaining() > size - position) {
      dst.limit(dst.position() + (int) (size - position));
    }
    int total = 0;
    while (dst.hasRemaining()) {
      long at = position + total;
      int n = whole != null ? readFully(whole, dst, at) : readChunked(dst, at);
      if (n <= 0) {
        throw new IOException(
            entry.path() + ": cached content ends at " + at + " of " + size + " bytes");
      }
      total += n;
    }
    return total;
  }

  private int readChunked(ByteBuffer dst, long at) throws IOException {
    int i = chunkAt(at);
    FileChunk c = chunks.get(i);
    readAhead(i);
    long inChunk = at - c.offset();
    int want = (int) Math.min(dst.remaining(), c.sizeBytes() - inChunk);
    ByteBuffer slice = dst.duplicate();
    slice.limit(slice.position() + want);
    int n;
    if (i < kept.length()) {
      FileChannel ch = kept.get(i);
      if (ch == null) {
        FileChannel opened = openObject(objects, c.hash(), ObjectType.PARTIAL, c.sizeBytes());
        if (!kept.compareAndSet(i, null, opened)) {
          opened.close();
        }
        ch = kept.get(i);
      }
      n = readFully(ch, slice, inChunk);
    } else {
      try (FileChannel ch = openObject(objects, c.hash(), ObjectType.PARTIAL, c.sizeBytes())) {
        n = readFully(ch, slice, inChunk);
      }
    }
    dst.position(dst.position() + n);
    return n;
  }

  /** After a read of chunk {@code i} that goes on from the last one, fetches the next ones. */
  private void readAhead(int i) {
    int last = lastChunkRead;
    lastChunkRead = i;
    if (readahead == 0 || i < last || i > last + 1) {
      return; // a jump: random access, no read-ahead
    }
    int end = Math.min(chunks.size(), i + 1 + readahead);
    int from = aheadUpTo.get();
    while (from < end) {
      int start = Math.max(from, i + 1);
      if (!aheadUpTo.compareAndSet(from, end)) {
        from = aheadUpTo.get();
        continue;
      }
      for (int k = start; k < end; k++) {
        FileChunk next = chunks.get(k);
        objects.fetchAhead(next.hash(), ObjectType.PARTIAL, next.sizeBytes());
      }
      return;
    }
  }

  private int chunkAt(long at) {
    int lo = 0;
    int hi = offsets.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (offsets[mid] <= at) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  private static int readFully(FileChannel ch, ByteBuffer dst, long at) throws IOException {
    int total = 0;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, at + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static FileChannel openObject(
      ObjectFiles objects, ContentHash hash, ObjectType type, long sizeBytes) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path file = objects.get(hash, type, sizeBytes);
      try {
        return FileChannel.open(file);
      } catch (NoSuchFileException e) {
        if (attempt > 0) {
          throw e; // evicted twice between fetch and open: the quota is far too small
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (int i = 0; i < kept.length(); i++) {
      FileChannel ch = kept.getAndSet(i, null);
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          failure = e;
        }
      }
    }
    NativeFiles.close(wholeFd);
    if (whole != null) {
      whole.close();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
