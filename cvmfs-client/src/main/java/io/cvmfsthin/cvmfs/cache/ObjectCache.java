package io.cvmfsthin.cvmfs.cache;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.DecompressionLimitException;
import io.cvmfsthin.cvmfs.object.DigestMismatchException;
import io.cvmfsthin.cvmfs.object.HashingInputStream;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object cache of one client (a {@code *Store} in all but name, named as CVMFS names it).
 *
 * <p>Layout under the root: {@code data/XX/<rest><algorithm suffix><type suffix>} holds the
 * <em>inflated</em> content of verified objects; {@code txn/} holds downloads in progress (emptied
 * at open). The least-recently-used order is the files' mtime, touched on every hit, so it survives
 * restarts. When the bytes stored exceed the quota, unpinned objects are deleted oldest first until
 * they fit again; an object being inserted is never its own victim.
 *
 * <p>Concurrency: {@link #lru} and {@link #pins} are guarded by {@code this}; that lock is never
 * held during I/O on a download. {@link #get} lets one thread download an object while the others
 * asking for it wait for the same result. Owned by the client that opened it.
 */
public final class ObjectCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ObjectCache.class);

  private final Path root;
  private final Path txn;
  private final long quotaBytes;
  // guarded by this: relative object path -> size, least recently used first
  private final LinkedHashMap<String, Long> lru = new LinkedHashMap<>(256, 0.75f, true);
  // guarded by this: relative object path -> pin count
  private final Map<String, Integer> pins = new HashMap<>();
  // guarded by this
  private long usedBytes;
  private final ConcurrentHashMap<String, CompletableFuture<Path>> inFlight =
      new ConcurrentHashMap<>();

  /** Downloads an object and stores it with {@link ObjectCache#put}. */
  @FunctionalInterface
  public interface Loader {
    Path load() throws IOException;
  }

  private ObjectCache(Path root, long quotaBytes) {
    this.root = root;
    this.txn = root.resolve("txn");
    this.quotaBytes = quotaBytes;
  }

  /**
   * Opens (creating if needed) the cache at {@code root} with a quota in bytes (0 or less: no
   * limit). Leftovers of interrupted downloads are deleted; complete objects are kept.
   */
  public static ObjectCache open(Path root, long quotaBytes) throws IOException {
    ObjectCache cache = new ObjectCache(root, quotaBytes);
    Files.createDirectories(cache.txn);
    Files.createDirectories(root.resolve("data"));
    cache.cleanTxn();
    cache.scan();
    synchronized (cache) {
      cache.evictIfNeeded(null);
    }
    return cache;
  }

  public Path root() {
    return root;
  }

  public long quotaBytes() {
    return quotaBytes;
  }

  /** Bytes of all objects in the cache. */
  public synchronized long usedBytes() {
    return usedBytes;
  }

  /** The file of a cached object, marking it recently used; empty if not cached. */
  public Optional<Path> find(ContentHash hash, ObjectType type) {
    String key = hash.objectPath(type);
    Path file = root.resolve(key);
    synchronized (this) {
      if (lru.get(key) == null) {
        return Optional.empty();
      }
    }
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
      return Optional.of(file);
    } catch (NoSuchFileException e) {
      forget(key);
      return Optional.empty();
    } catch (IOException e) {
      log.warn("cache: cannot touch {}, its LRU position is lost on restart", file, e);
      return Optional.of(file);
    }
  }

  /**
   * The cached object, or the result of {@code loader} (which should end in {@link #put}). Of many
   * threads asking for the same missing object at once, one runs the loader; the others wait for
   * its result or its exception.
   */
  public Path get(ContentHash hash, ObjectType type, Loader loader) throws IOException {
    Optional<Path> hit = find(hash, type);
    if (hit.isPresent()) {
      return hit.get();
    }
    String key = hash.objectPath(type);
    CompletableFuture<Path> mine = new CompletableFuture<>();
    CompletableFuture<Path> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return await(running, key);
    }
    try {
      Path file = find(hash, type).orElse(null);
      if (file == null) {
        file = loader.load();
      }
      mine.complete(file);
      return file;
    } catch (IOException | RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  /**
   * Stores an object from its bytes as served: hashes them, inflates them if {@code compression} is
   * zlib (at most {@code maxBytes}), checks the hash and, if {@code expectedSizeBytes >= 0}, the
   * inflated size, then renames the result into place. On any failure nothing is left behind.
   *
   * @param what names the object in messages, e.g. {@code catalog for /nested from http://...}
   */
  public Path put(
      ContentHash hash,
      ObjectType type,
      Compression compression,
      long expectedSizeBytes,
      long maxBytes,
      InputStream served,
      String what)
      throws IOException {
    String key = hash.objectPath(type);
    Path target = root.resolve(key);
    long limit = expectedSizeBytes >= 0 ? expectedSizeBytes : maxBytes;
    Path tmp = Files.createTempFile(txn, "partial-", "");
    try {
      // The raw bytes are capped as well: a compressed object is not much larger than its content.
      HashingInputStream hashing =
          new HashingInputStream(
              new CappedInputStream(served, limit + limit / 64 + 4096), hash.algorithm());
      long size;
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(ch)) {
        InputStream content =
            compression == Compression.ZLIB
                ? Zlib.inflating(hashing, limit)
                : new CappedInputStream(hashing, limit);
        try {
          size = content.transferTo(out);
        } catch (java.util.zip.ZipException e) {
          // Corrupt deflate data: name the cause precisely if the bytes are not the object at all.
          hashing.transferTo(OutputStream.nullOutputStream());
          ContentHash actual = hashing.hash();
          if (!actual.equals(hash)) {
            throw new DigestMismatchException(what, hash, actual);
          }
          throw new java.util.zip.ZipException(what + ": corrupt zlib stream: " + e.getMessage());
        }
        hashing.transferTo(OutputStream.nullOutputStream()); // bytes after the zlib stream
        ch.force(false);
      }
      ContentHash actual = hashing.hash();
      if (!actual.equals(hash)) {
        throw new DigestMismatchException(what, hash, actual);
      }
      if (expectedSizeBytes >= 0 && size != expectedSizeBytes) {
        throw new ObjectSizeException(what, expectedSizeBytes, size);
      }
      Files.createDirectories(target.getParent());
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      synchronized (this) {
        Long old = lru.put(key, size);
        usedBytes += size - (old == null ? 0 : old);
        evictIfNeeded(key);
      }
      return target;
    } catch (DecompressionLimitException e) {
      throw new DecompressionLimitException(what, limit);
    } finally {
      Files.deleteIfExists(tmp); // a no-op once moved; cleans up after every failure
    }
  }

  /** Keeps an object from eviction until as many {@link #unpin} calls. */
  public synchronized void pin(ContentHash hash, ObjectType type) {
    pins.merge(hash.objectPath(type), 1, Integer::sum);
  }

  public synchronized void unpin(ContentHash hash, ObjectType type) {
    pins.computeIfPresent(hash.objectPath(type), (k, n) -> n <= 1 ? null : n - 1);
  }

  @Override
  public void close() {
    // Nothing is open between calls; the directory stays for the next process.
  }

  private synchronized void forget(String key) {
    Long size = lru.remove(key);
    if (size != null) {
      usedBytes -= size;
    }
  }

  // holds this
  private void evictIfNeeded(String keep) {
    if (quotaBytes <= 0 || usedBytes <= quotaBytes) {
      return;
    }
    Iterator<Map.Entry<String, Long>> it = lru.entrySet().iterator();
    while (usedBytes > quotaBytes && it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      if (e.getKey().equals(keep) || pins.containsKey(e.getKey())) {
        continue;
      }
      try {
        Files.deleteIfExists(root.resolve(e.getKey()));
        usedBytes -= e.getValue();
        it.remove();
        log.debug("cache: evicted {} ({} bytes)", e.getKey(), e.getValue());
      } catch (IOException ex) {
        log.warn("cache: cannot evict {}", e.getKey(), ex);
      }
    }
    if (usedBytes > quotaBytes) {
      log.warn(
          "cache: {} bytes in use exceed the quota of {} (pinned objects)", usedBytes, quotaBytes);
    }
  }

  private void cleanTxn() throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(txn)) {
      for (Path p : ds) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void scan() throws IOException {
    record Found(String key, long size, long mtime) {}
    List<Found> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root.resolve("data"))) {
      for (Path dir : dirs) {
        if (!Files.isDirectory(dir)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
          for (Path f : files) {
            if (Files.isRegularFile(f)) {
              found.add(
                  new Found(
                      root.relativize(f).toString(),
                      Files.size(f),
                      Files.getLastModifiedTime(f).toMillis()));
            }
          }
        }
      }
    }
    found.sort((a, b) -> Long.compare(a.mtime(), b.mtime()));
    synchronized (this) {
      for (Found f : found) {
        lru.put(f.key(), f.size());
        usedBytes += f.size();
      }
    }
    log.debug("cache {}: {} objects, {} bytes", root, found.size(), usedBytes);
  }

  private static Path await(CompletableFuture<Path> running, String key) throws IOException {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + key);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(key + ": " + cause, cause);
    }
  }

  /** Fails instead of reading past a limit. */
  private static final class CappedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    CappedInputStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
        if (count > limit) {
          throw new DecompressionLimitException(limit);
        }
      }
      return n;
    }
  }
}
