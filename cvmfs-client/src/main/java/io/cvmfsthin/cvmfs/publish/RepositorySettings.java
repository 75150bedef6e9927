package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The publisher's settings of one repository, chosen at {@code create} and kept beside the stratum
 * in {@code <fqrn>/.cvmfs_publisher.conf} as {@code key=value} lines with cvmfs_server's names
 * ({@code CVMFS_HASH_ALGORITHM}, {@code CVMFS_COMPRESSION_ALGORITHM}, {@code CVMFS_REPOSITORY_TTL},
 * {@code CVMFS_USE_FILE_CHUNKING}, {@code CVMFS_MIN/AVG/MAX_CHUNK_SIZE}). Nothing secret is in it.
 * A repository without the file (made by the stock tools) gets the defaults, with the hash
 * algorithm taken from its manifest.
 */
public record RepositorySettings(
    HashAlgorithm hashAlgorithm,
    Compression compression,
    long ttlSeconds,
    ChunkingPolicy chunking) {

  /** The name of the settings file inside the repository directory. */
  public static final String FILE_NAME = ".cvmfs_publisher.conf";

  public static final RepositorySettings DEFAULT =
      new RepositorySettings(HashAlgorithm.SHA1, Compression.ZLIB, 240, ChunkingPolicy.DEFAULT);

  public RepositorySettings {
    if (ttlSeconds <= 0) {
      throw new IllegalArgumentException("TTL must be positive, got " + ttlSeconds);
    }
  }

  public RepositorySettings withHashAlgorithm(HashAlgorithm a) {
    return new RepositorySettings(a, compression, ttlSeconds, chunking);
  }

  public RepositorySettings withCompression(Compression c) {
    return new RepositorySettings(hashAlgorithm, c, ttlSeconds, chunking);
  }

  public RepositorySettings withChunking(ChunkingPolicy p) {
    return new RepositorySettings(hashAlgorithm, compression, ttlSeconds, p);
  }

  public RepositorySettings withTtlSeconds(long ttl) {
    return new RepositorySettings(hashAlgorithm, compression, ttl, chunking);
  }

  byte[] toFileBytes() {
    StringBuilder sb = new StringBuilder("# written by cvmfs-thin repo create\n");
    sb.append("CVMFS_HASH_ALGORITHM=").append(hashAlgorithm.configName()).append('\n');
    sb.append("CVMFS_COMPRESSION_ALGORITHM=")
        .append(compression == Compression.ZLIB ? "default" : "none")
        .append('\n');
    sb.append("CVMFS_REPOSITORY_TTL=").append(ttlSeconds).append('\n');
    sb.append("CVMFS_USE_FILE_CHUNKING=").append(chunking.enabled()).append('\n');
    sb.append("CVMFS_MIN_CHUNK_SIZE=").append(chunking.minBytes()).append('\n');
    sb.append("CVMFS_AVG_CHUNK_SIZE=").append(chunking.avgBytes()).append('\n');
    sb.append("CVMFS_MAX_CHUNK_SIZE=").append(chunking.maxBytes()).append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static RepositorySettings parse(String source, byte[] bytes, HashAlgorithm fallbackHash)
      throws IOException {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      String l = line.trim();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new IOException(source + ": not a key=value line: '" + l + "'");
      }
      kv.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
    }
    try {
      ChunkingPolicy d = ChunkingPolicy.DEFAULT;
      ChunkingPolicy chunking =
          new ChunkingPolicy(
              Boolean.parseBoolean(kv.getOrDefault("CVMFS_USE_FILE_CHUNKING", "true")),
              Integer.parseInt(kv.getOrDefault("CVMFS_MIN_CHUNK_SIZE", "" + d.minBytes())),
              Integer.parseInt(kv.getOrDefault("CVMFS_AVG_CHUNK_SIZE", "" + d.avgBytes())),
              Integer.parseInt(kv.getOrDefault("CVMFS_MAX_CHUNK_SIZE", "" + d.maxBytes())));
      String hash = kv.get("CVMFS_HASH_ALGORITHM");
      return new RepositorySettings(
          hash == null ? fallbackHash : HashAlgorithm.fromConfigName(hash),
          Compression.fromConfigName(kv.getOrDefault("CVMFS_COMPRESSION_ALGORITHM", "default")),
          Long.parseLong(kv.getOrDefault("CVMFS_REPOSITORY_TTL", "240")),
          chunking);
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": " + e.getMessage(), e);
    }
  }
}
