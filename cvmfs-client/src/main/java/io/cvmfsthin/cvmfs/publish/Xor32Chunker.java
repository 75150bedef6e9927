package io.cvmfsthin.cvmfs.publish;

/**
 * Core: the content-defined chunk detector of cvmfs_server (spec §8.2, "xor32"). State {@code x =
 * (x << 1) ^ byte}; the 32 bytes before the minimum size are fed untested; from the minimum on, a
 * cut falls before the byte whose state comes within {@code 2^32 / avg} of {@code INT_MAX}; a cut
 * is forced at the maximum size. Any boundaries are valid for readers; these keep chunk boundaries
 * stable under insertions, which makes chunks deduplicate between file versions. One file, one
 * instance; not thread-safe.
 */
final class Xor32Chunker {
  private final ChunkingPolicy policy;
  private final long threshold;
  private long offset; // bytes of the current chunk seen so far
  private int x;

  Xor32Chunker(ChunkingPolicy policy) {
    this.policy = policy;
    this.threshold = 0xffffffffL / policy.avgBytes();
  }

  /**
   * Scans {@code buf[off, off+len)}, the next bytes of the current chunk. Returns how many of them
   * belong to the current chunk if it ends within this range (the caller then starts a new chunk
   * with the rest, calling again), or -1 if all of them belong to it.
   */
  int nextCut(byte[] buf, int off, int len) {
    int min = policy.minBytes();
    int max = policy.maxBytes();
    for (int i = 0; i < len; i++) {
      long pos = offset + i;
      if (pos == max) {
        return cut(i);
      }
      if (pos >= min - 32) {
        x = (x << 1) ^ (buf[off + i] & 0xff);
        if (pos >= min && Math.abs((long) x - Integer.MAX_VALUE) < threshold) {
          return cut(i);
        }
      }
    }
    offset += len;
    return -1;
  }

  private int cut(int length) {
    offset = 0;
    x = 0;
    return length;
  }
}
