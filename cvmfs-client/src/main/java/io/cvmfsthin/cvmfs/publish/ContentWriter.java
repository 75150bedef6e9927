package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Edge: streams one regular file into objects: whole (no suffix) or, above the minimum chunk size,
 * cut by {@link Xor32Chunker} into chunk objects (suffix P). A file that yields one chunk is stored
 * whole (spec §8.1). Reads exactly the declared size; the content is never held in memory beyond
 * one chunk's compressed bytes. Thread-safe: each call is independent.
 */
final class ContentWriter {
  private final ObjectStore store;
  private final Compression compression;
  private final ChunkingPolicy chunking;
  // chunk-sized arrays reused from chunk to chunk: a new one per chunk (16 MiB by default, a
  // humongous object for G1) made the heap grow to its limit on big layers; at most
  // POOLED_CHUNK_BUFFERS are kept, the arrays in flight are bounded by the caller's ContentTasks
  private final java.util.concurrent.ConcurrentLinkedDeque<byte[]> chunkBuffers =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  private final java.util.concurrent.atomic.AtomicInteger pooled =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final int POOLED_CHUNK_BUFFERS = 6;

  ContentWriter(ObjectStore store, Compression compression, ChunkingPolicy chunking) {
    this.store = store;
    this.compression = compression;
    this.chunking = chunking;
  }

  /**
   * As {@link #write(InputStream, long, String)}, compressing and storing the chunks of a chunked
   * file on {@code tasks}' executor while the next chunk is read, within its byte budget (each
   * chunk's raw bytes are held until it is stored). The same objects as the sequential way. Call it
   * from the thread that reads the source, never from a task of that executor (it waits for the
   * chunks before it returns).
   */
  FileContent write(InputStream in, long sizeBytes, String what, ContentTasks tasks)
      throws IOException {
    if (!chunking.chunks(sizeBytes) || !tasks.fits(chunking.maxBytes())) {
      return write(in, sizeBytes, what);
    }
    Xor32Chunker chunker = new Xor32Chunker(chunking);
    byte[] buffer = new byte[64 * 1024];
    List<java.util.concurrent.CompletableFuture<FileChunk>> parts = new ArrayList<>();
    // a chunk's raw bytes, handed to its task as they are (no copy): at most maxBytes
    byte[] current = takeChunkBuffer();
    int filled = 0;
    long chunkStart = 0;
    long pos = 0;
    try {
      while (pos < sizeBytes) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, sizeBytes - pos));
        if (n < 0) {
          throw new EOFException(what + ": ended after " + pos + " of " + sizeBytes + " bytes");
        }
        int off = 0;
        while (off < n) {
          int cut = chunker.nextCut(buffer, off, n - off);
          if (cut < 0) {
            System.arraycopy(buffer, off, current, filled, n - off);
            filled += n - off;
            break;
          }
          System.arraycopy(buffer, off, current, filled, cut);
          filled += cut;
          long end = pos + off + cut;
          if (parts.isEmpty() && end == sizeBytes) {
            // one chunk only: the whole file is one ordinary object
            return whole(current, filled, sizeBytes);
          }
          byte[] submitted = current;
          current = null; // the chunk's task owns it now, and gives it back to the pool
          parts.add(submitChunk(tasks, chunkStart, submitted, filled));
          current = takeChunkBuffer();
          filled = 0;
          chunkStart = end;
          off += cut;
        }
        pos += n;
      }
      if (parts.isEmpty()) {
        return whole(current, filled, sizeBytes);
      }
      if (chunkStart < sizeBytes) {
        byte[] submitted = current;
        current = null;
        parts.add(submitChunk(tasks, chunkStart, submitted, filled));
      }
      List<FileChunk> chunks = new ArrayList<>();
      for (java.util.concurrent.CompletableFuture<FileChunk> f : parts) {
        chunks.add(join(f));
      }
      return new FileContent(sizeBytes, null, chunks);
    } finally {
      giveBackChunkBuffer(current); // null once handed to a task
      for (java.util.concurrent.CompletableFuture<FileChunk> f : parts) {
        try {
          f.join(); // nothing writes objects after this call has ended, however it ended
        } catch (java.util.concurrent.CompletionException ignored) {
          // the first failure is the one reported
        }
      }
    }
  }

  private byte[] takeChunkBuffer() {
    byte[] b = chunkBuffers.poll();
    if (b == null) {
      return new byte[chunking.maxBytes()];
    }
    pooled.decrementAndGet();
    return b;
  }

  private void giveBackChunkBuffer(byte[] b) {
    if (b != null && pooled.incrementAndGet() <= POOLED_CHUNK_BUFFERS) {
      chunkBuffers.push(b);
    } else if (b != null) {
      pooled.decrementAndGet();
    }
  }

  private FileContent whole(byte[] raw, int length, long sizeBytes) throws IOException {
    try (ObjectStore.ObjectSink sink = store.newSink(compression)) {
      sink.write(raw, 0, length);
      return new FileContent(sizeBytes, sink.commit(ObjectType.FILE), List.of());
    }
  }

  private java.util.concurrent.CompletableFuture<FileChunk> submitChunk(
      ContentTasks tasks, long offset, byte[] raw, int length) throws IOException {
    java.util.concurrent.CompletableFuture<FileChunk> done =
        new java.util.concurrent.CompletableFuture<>();
    tasks.reserve(raw.length); // the whole array is held until the chunk is stored
    tasks.submit(
        raw.length,
        () -> {
          try (ObjectStore.ObjectSink sink = store.newSink(compression)) {
            sink.write(raw, 0, length);
            done.complete(new FileChunk(offset, length, sink.commit(ObjectType.PARTIAL)));
          } catch (IOException | RuntimeException e) {
            done.completeExceptionally(e);
            throw e;
          } finally {
            giveBackChunkBuffer(raw); // the sink has consumed it (a failed one is reset first)
          }
        });
    return done;
  }

  private static FileChunk join(java.util.concurrent.CompletableFuture<FileChunk> f)
      throws IOException {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException("storing a chunk failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Stores a file's content held whole in memory: deflated straight from {@code content}, with no
   * intermediate buffer or copy (most files of a layer are small and buffered this way); the same
   * objects as the streaming way.
   */
  FileContent write(byte[] content, String what) throws IOException {
    if (chunking.chunks(content.length)) {
      return write(new java.io.ByteArrayInputStream(content), content.length, what);
    }
    return whole(content, content.length, content.length);
  }

  /** Stores {@code sizeBytes} bytes of {@code in} (which may hold more). */
  FileContent write(InputStream in, long sizeBytes, String what) throws IOException {
    // no bigger than the file: most files are small, and a 64 KiB array for each of them was the
    // publisher's largest allocation (JFR, publish-vs-tar.sh)
    byte[] buffer = new byte[(int) Math.min(64 * 1024, sizeBytes)];
    if (!chunking.chunks(sizeBytes)) {
      try (ObjectStore.ObjectSink sink = store.newSink(compression)) {
        copy(in, sink, sizeBytes, what, buffer);
        return new FileContent(sizeBytes, sink.commit(ObjectType.FILE), List.of());
      }
    }
    Xor32Chunker chunker = new Xor32Chunker(chunking);
    List<FileChunk> chunks = new ArrayList<>();
    ObjectStore.ObjectSink first = null; // the first chunk waits: alone, it is the whole file
    ObjectStore.ObjectSink current = store.newSink(compression);
    long chunkStart = 0;
    long pos = 0;
    try {
      while (pos < sizeBytes) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, sizeBytes - pos));
        if (n < 0) {
          throw new EOFException(what + ": ended after " + pos + " of " + sizeBytes + " bytes");
        }
        int off = 0;
        while (off < n) {
          int cut = chunker.nextCut(buffer, off, n - off);
          if (cut < 0) {
            current.write(buffer, off, n - off);
            break;
          }
          current.write(buffer, off, cut);
          long end = pos + off + cut;
          if (first == null && chunks.isEmpty()) {
            first = current;
            first.seal();
            chunks.add(new FileChunk(chunkStart, end - chunkStart, null));
          } else {
            if (first != null) {
              chunks.set(0, withHash(chunks.get(0), first.commit(ObjectType.PARTIAL)));
              first = null;
            }
            chunks.add(
                new FileChunk(chunkStart, end - chunkStart, current.commit(ObjectType.PARTIAL)));
          }
          current = store.newSink(compression);
          chunkStart = end;
          off += cut;
        }
        pos += n;
      }
      if (chunks.isEmpty() || (first != null && chunkStart == sizeBytes)) {
        // One chunk only: the whole file is one ordinary object.
        ObjectStore.ObjectSink whole = first != null ? first : current;
        ContentHash hash = whole.commit(ObjectType.FILE);
        return new FileContent(sizeBytes, hash, List.of());
      }
      if (first != null) {
        chunks.set(0, withHash(chunks.get(0), first.commit(ObjectType.PARTIAL)));
        first = null;
      }
      if (chunkStart < sizeBytes) {
        chunks.add(
            new FileChunk(chunkStart, sizeBytes - chunkStart, current.commit(ObjectType.PARTIAL)));
      }
      return new FileContent(sizeBytes, null, chunks);
    } finally {
      current.close();
      if (first != null) {
        first.close();
      }
    }
  }

  private static FileChunk withHash(FileChunk c, ContentHash hash) {
    return new FileChunk(c.offset(), c.sizeBytes(), hash);
  }

  private static void copy(
      InputStream in, java.io.OutputStream out, long sizeBytes, String what, byte[] buffer)
      throws IOException {
    long left = sizeBytes;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new EOFException(
            what + ": ended after " + (sizeBytes - left) + " of " + sizeBytes + " bytes");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }
}
