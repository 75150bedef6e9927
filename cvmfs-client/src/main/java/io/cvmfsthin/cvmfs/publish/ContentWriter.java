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

  ContentWriter(ObjectStore store, Compression compression, ChunkingPolicy chunking) {
    this.store = store;
    this.compression = compression;
    this.chunking = chunking;
  }

  /** Stores {@code sizeBytes} bytes of {@code in} (which may hold more). */
  FileContent write(InputStream in, long sizeBytes, String what) throws IOException {
    byte[] buffer = new byte[64 * 1024];
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
