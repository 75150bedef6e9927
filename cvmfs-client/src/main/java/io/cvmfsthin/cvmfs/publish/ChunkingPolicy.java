package io.cvmfsthin.cvmfs.publish;

/**
 * How large files are cut into chunks ({@code CVMFS_USE_FILE_CHUNKING}, {@code
 * CVMFS_MIN/AVG/MAX_CHUNK_SIZE}). Files no larger than {@code minBytes} are never chunked; a file
 * that yields one chunk is stored whole (spec §8.1, §8.2).
 */
public record ChunkingPolicy(boolean enabled, int minBytes, int avgBytes, int maxBytes) {
  /** cvmfs_server's defaults: 4 MiB / 8 MiB / 16 MiB. */
  public static final ChunkingPolicy DEFAULT = new ChunkingPolicy(true, 4 << 20, 8 << 20, 16 << 20);

  /** No chunking at all. */
  public static final ChunkingPolicy DISABLED =
      new ChunkingPolicy(false, 4 << 20, 8 << 20, 16 << 20);

  public ChunkingPolicy {
    if (minBytes < 64 || !(minBytes < avgBytes && avgBytes < maxBytes)) {
      throw new IllegalArgumentException(
          "chunk sizes must satisfy 64 <= min < avg < max, got "
              + minBytes
              + "/"
              + avgBytes
              + "/"
              + maxBytes);
    }
  }

  /** Enabled chunking with the given sizes in bytes. */
  public static ChunkingPolicy of(int minBytes, int avgBytes, int maxBytes) {
    return new ChunkingPolicy(true, minBytes, avgBytes, maxBytes);
  }

  /** Whether a file of this size is cut into chunks at all. */
  boolean chunks(long sizeBytes) {
    return enabled && sizeBytes > minBytes;
  }
}
