package io.cvmfsthin.cvmfs.cache;

import io.cvmfsthin.cvmfs.metrics.RepositoryMetrics;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.CountingInputStream;
import io.cvmfsthin.cvmfs.object.DecompressionLimitException;
import io.cvmfsthin.cvmfs.object.DigestMismatchException;
import io.cvmfsthin.cvmfs.object.HashingInputStream;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object cache of one client (a {@code *Store} in all but name, named as CVMFS names it).
 *
 * <p>Layout under the root: {@code data/XX/<rest><algorithm suffix><type suffix>.<crc>} holds the
 * <em>inflated</em> content of verified objects, where {@code <crc>} is the CRC32C of that content
 * as 8 lower-case hex digits (files without it, written by older versions, were fsynced one by one
 * and are trusted); {@code txn/} holds downloads in progress (emptied at open); {@code dirty}
 * exists while a process has the cache open and after it died without {@link #close}. The
 * least-recently-used order is the files' mtime, touched on every hit, so it survives restarts.
 * When the bytes stored exceed the quota, unpinned objects are deleted oldest first until they fit
 * again; an object being inserted is never its own victim.
 *
 * <p>Crash safety without an fsync per object. An object is written to {@code txn/}, verified
 * against its content hash while it streams in, and renamed into place; it is not fsynced. A
 * process crash ({@code kill -9}) loses nothing the kernel has accepted, so rename-into-place alone
 * keeps it safe. A machine crash or power loss may leave a renamed file empty, short or garbage,
 * and the content hash cannot re-verify it (it is over the compressed bytes as served, the cache
 * holds them inflated): the CRC32C in the name can, and it costs no extra file or write. So {@link
 * #open} creates the {@code dirty} marker (fsynced once, with the directory); {@link #close} fsyncs
 * the objects this process wrote (off the read path, once) and then removes the marker. Finding the
 * marker at open means the last shutdown was unclean: every object is then <em>unverified</em>
 * until its first use checks its size and CRC32C; a bad one is deleted with a WARN line naming it
 * and fetched again. While unverified objects remain, {@link #close} keeps the marker, so a later
 * process still checks them. Catalogs are checked the same way before SQLite opens them. A CRC is
 * enough here: it guards against the file system's accidents, not an attacker who can write the
 * cache directory (who could change the name as well).
 *
 * <p>Concurrency: {@link #lru}, {@link #pins} and {@link #written} are guarded by {@code this};
 * that lock is never held during I/O on a download, nor while evicted files are deleted. {@link
 * #get} and {@link #getAsync} let one thread download an object while the others asking for it wait
 * for the same result; a queued {@link #getAsync} that no thread has started yet is run by the
 * first {@link #get} caller instead (a reader never waits behind a queue of prefetches). Owned by
 * the client that opened it.
 */
public final class ObjectCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ObjectCache.class);
  static final String DIRTY = "dirty";

  private final Path root;
  private final Path txn;
  private final long quotaBytes;
  private final boolean unclean; // the dirty marker was there at open
  // guarded by this: object key (its objectPath) -> stored file, least recently used first
  private final LinkedHashMap<String, Stored> lru = new LinkedHashMap<>(256, 0.75f, true);
  // guarded by this: object key -> pin count
  private final Map<String, Integer> pins = new HashMap<>();
  // guarded by this: files (relative) renamed into place by this process, not yet fsynced
  private final Set<String> written = new LinkedHashSet<>();
  // guarded by this
  private long usedBytes;
  // guarded by this: objects still to be checked after an unclean shutdown
  private long unverified;
  private boolean closed; // guarded by this
  private final ConcurrentHashMap<String, Load> inFlight = new ConcurrentHashMap<>();
  // names of downloads in txn/: a prefix drawn once per open, then a counter
  private final String txnPrefix = Long.toHexString(new SecureRandom().nextLong()) + "-";
  private final AtomicLong txnCounter = new AtomicLong();
  private final AtomicLong hits = new AtomicLong(); // get() answered from the cache
  private final AtomicLong misses = new AtomicLong(); // get() ran the loader
  private final AtomicLong discarded = new AtomicLong(); // objects that failed their check
  private final RepositoryMetrics metrics;

  /** One object on disk: its file relative to the root, its size and CRC32C (null: legacy). */
  private record Stored(String file, long size, Integer crc, boolean verified) {
    Stored asVerified() {
      return new Stored(file, size, crc, true);
    }
  }

  /** A download of one object: its result, and whether a thread has taken it on. */
  private static final class Load {
    final CompletableFuture<Path> result = new CompletableFuture<>();
    final AtomicBoolean claimed = new AtomicBoolean();
  }

  /** Downloads an object and stores it with {@link ObjectCache#put}. */
  @FunctionalInterface
  public interface Loader {
    Path load() throws IOException;
  }

  private ObjectCache(Path root, long quotaBytes, boolean unclean, RepositoryMetrics metrics) {
    this.metrics = metrics;
    this.root = root;
    this.txn = root.resolve("txn");
    this.quotaBytes = quotaBytes;
    this.unclean = unclean;
  }

  /**
   * Opens (creating if needed) the cache at {@code root} with a quota in bytes (0 or less: no
   * limit). Leftovers of interrupted downloads are deleted; complete objects are kept, to be
   * checked on first use if the cache was not closed cleanly.
   */
  public static ObjectCache open(Path root, long quotaBytes) throws IOException {
    return open(root, quotaBytes, RepositoryMetrics.NONE);
  }

  /** As {@link #open(Path, long)}, reporting hits, misses, evictions and the size to {@code m}. */
  public static ObjectCache open(Path root, long quotaBytes, RepositoryMetrics m)
      throws IOException {
    Files.createDirectories(root);
    Path marker = root.resolve(DIRTY);
    boolean unclean = Files.exists(marker);
    ObjectCache cache = new ObjectCache(root, quotaBytes, unclean, m);
    Files.createDirectories(cache.txn);
    Files.createDirectories(root.resolve("data"));
    cache.cleanTxn();
    cache.scan();
    if (unclean) {
      log.warn(
          "cache {}: not closed cleanly last time; {} objects are checked on their first use",
          root,
          cache.unverified);
    } else {
      try (FileChannel ch =
          FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      fsyncDirectory(root);
    }
    List<Evicted> evicted;
    synchronized (cache) {
      evicted = cache.evictIfNeeded(null);
    }
    cache.deleteEvicted(evicted);
    m.cacheOpened(cache::usedBytes, quotaBytes);
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

  /** Calls of {@link #get} answered from the cache (or by another thread's download). */
  public long hits() {
    return hits.get();
  }

  /** Calls of {@link #get} that ran their loader. */
  public long misses() {
    return misses.get();
  }

  /** Objects found damaged (after an unclean shutdown) and deleted since open. */
  public long discarded() {
    return discarded.get();
  }

  /** Whether the last shutdown before {@link #open} was unclean. */
  public boolean openedAfterUncleanShutdown() {
    return unclean;
  }

  /**
   * The file of a cached object, marking it recently used; empty if not cached. After an unclean
   * shutdown the object is checked on its first use, and a damaged one deleted (empty answer).
   */
  public Optional<Path> find(ContentHash hash, ObjectType type) {
    String key = hash.objectPath(type);
    Stored stored;
    synchronized (this) {
      stored = lru.get(key);
    }
    if (stored == null) {
      return Optional.empty();
    }
    Path file = root.resolve(stored.file());
    if (!stored.verified() && !verify(key, stored, file)) {
      return Optional.empty();
    }
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
      return Optional.of(file);
    } catch (NoSuchFileException e) {
      forget(key, stored);
      return Optional.empty();
    } catch (IOException e) {
      log.warn("cache: cannot touch {}, its LRU position is lost on restart", file, e);
      return Optional.of(file);
    }
  }

  /** Checks size and CRC32C of an unverified object; deletes it if they do not hold. */
  private boolean verify(String key, Stored stored, Path file) {
    String problem;
    try {
      long size = Files.size(file);
      int crc = crc32c(file);
      if (size != stored.size()) {
        problem = "size " + size + ", expected " + stored.size();
      } else if (crc != stored.crc()) {
        problem = "CRC32C " + hex(crc) + ", expected " + hex(stored.crc());
      } else {
        synchronized (this) {
          if (lru.get(key) == stored) {
            lru.put(key, stored.asVerified());
            unverified--;
          }
        }
        return true;
      }
    } catch (NoSuchFileException e) {
      forget(key, stored);
      return false;
    } catch (IOException e) {
      problem = "unreadable: " + e;
    }
    log.warn(
        "cache {}: {} is damaged ({}) after an unclean shutdown; deleted, it is fetched again",
        root,
        stored.file(),
        problem);
    discarded.incrementAndGet();
    forget(key, stored);
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("cache {}: cannot delete the damaged {}", root, file, e);
    }
    return false;
  }

  /**
   * The cached object, or the result of {@code loader} (which should end in {@link #put}). Of many
   * threads asking for the same missing object at once, one runs the loader; the others wait for
   * its result or its exception. A {@link #getAsync} of the object that is still queued is taken
   * over and run by this thread.
   */
  public Path get(ContentHash hash, ObjectType type, Loader loader) throws IOException {
    Optional<Path> hit = find(hash, type);
    if (hit.isPresent()) {
      hits.incrementAndGet();
      metrics.cacheHit();
      return hit.get();
    }
    String key = hash.objectPath(type);
    Load mine = new Load();
    mine.claimed.set(true);
    Load running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      if (running.claimed.compareAndSet(false, true)) {
        return run(running, key, hash, type, loader);
      }
      hits.incrementAndGet();
      metrics.cacheHit();
      return await(running.result, key);
    }
    return run(mine, key, hash, type, loader);
  }

  /**
   * Like {@link #get}, but the loader runs on {@code executor}; a download of the object already
   * running or queued is shared instead. The future completes with the cached file; cancelling it
   * does not stop the download.
   */
  public CompletableFuture<Path> getAsync(
      ContentHash hash, ObjectType type, Loader loader, Executor executor) {
    Optional<Path> hit = find(hash, type);
    if (hit.isPresent()) {
      hits.incrementAndGet();
      metrics.cacheHit();
      return CompletableFuture.completedFuture(hit.get());
    }
    String key = hash.objectPath(type);
    if (isClosed()) {
      return CompletableFuture.failedFuture(new IOException(key + ": the cache is closed"));
    }
    Load mine = new Load();
    Load running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running.result.copy();
    }
    try {
      executor.execute(
          () -> {
            if (mine.claimed.compareAndSet(false, true)) {
              try {
                run(mine, key, hash, type, loader);
              } catch (IOException | RuntimeException e) {
                log.debug("cache: background load of {} failed: {}", key, e.toString());
              }
            }
          });
    } catch (RejectedExecutionException e) {
      inFlight.remove(key, mine);
      mine.result.completeExceptionally(new IOException(key + ": the fetch pool is closed", e));
    }
    return mine.result.copy();
  }

  private Path run(Load load, String key, ContentHash hash, ObjectType type, Loader loader)
      throws IOException {
    try {
      Path file = find(hash, type).orElse(null);
      if (file == null) {
        misses.incrementAndGet();
        metrics.cacheMiss();
        file = loader.load();
      } else {
        hits.incrementAndGet();
        metrics.cacheHit();
      }
      load.result.complete(file);
      return file;
    } catch (IOException | RuntimeException | Error e) {
      load.result.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, load);
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
    long limit = expectedSizeBytes >= 0 ? expectedSizeBytes : maxBytes;
    // A name of this cache's own (no SecureRandom per object as Files.createTempFile draws), made
    // by the open that writes it: CREATE_NEW never takes over another writer's file.
    Path tmp = txn.resolve("partial-" + txnPrefix + txnCounter.incrementAndGet());
    try {
      // The raw bytes are capped as well: a compressed object is not much larger than its content.
      HashingInputStream hashing =
          new HashingInputStream(
              new CountingInputStream(
                  served, limit + limit / 64 + 4096, DecompressionLimitException::new),
              hash.algorithm());
      long size;
      CRC32C crc = new CRC32C();
      try (FileChannel ch =
              FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = new CheckedOutputStream(Channels.newOutputStream(ch), crc)) {
        InputStream content =
            compression == Compression.ZLIB
                ? Zlib.inflating(hashing, limit)
                : new CountingInputStream(hashing, limit, DecompressionLimitException::new);
        try {
          size = copy(content, out);
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
      }
      ContentHash actual = hashing.hash();
      if (!actual.equals(hash)) {
        throw new DigestMismatchException(what, hash, actual);
      }
      if (expectedSizeBytes >= 0 && size != expectedSizeBytes) {
        throw new ObjectSizeException(what, expectedSizeBytes, size);
      }
      Stored stored =
          new Stored(key + "." + hex((int) crc.getValue()), size, (int) crc.getValue(), true);
      Path target = root.resolve(stored.file());
      moveIntoPlace(tmp, target);
      tmp = null; // moved: nothing to clean up
      Stored old;
      List<Evicted> evicted;
      synchronized (this) {
        old = lru.put(key, stored);
        usedBytes += size - (old == null ? 0 : old.size());
        if (old != null && !old.verified()) {
          unverified--;
        }
        written.add(stored.file());
        evicted = evictIfNeeded(key);
      }
      deleteEvicted(evicted);
      if (old != null && !old.file().equals(stored.file())) {
        Files.deleteIfExists(root.resolve(old.file()));
      }
      return target;
    } catch (DecompressionLimitException e) {
      throw new DecompressionLimitException(what, limit);
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp); // cleans up after every failure
      }
    }
  }

  /**
   * Renames a verified download into place. Its directory ({@code data/XX}) almost always exists:
   * the rename is tried first, and only if the directory is missing is it made (the JDK's {@code
   * createDirectories} on an existing directory costs a failed mkdir and an exception per object).
   */
  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException e) {
      if (!Files.exists(tmp)) {
        throw e; // the download itself is gone (txn emptied under us): not a missing directory
      }
      Files.createDirectories(target.getParent());
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Keeps an object from eviction until as many {@link #unpin} calls. */
  public synchronized void pin(ContentHash hash, ObjectType type) {
    pins.merge(hash.objectPath(type), 1, Integer::sum);
  }

  public synchronized void unpin(ContentHash hash, ObjectType type) {
    pins.computeIfPresent(hash.objectPath(type), (k, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * Makes what this process wrote durable (one fsync per object written and per directory, here
   * rather than on the read path) and removes the {@code dirty} marker, unless objects of an
   * earlier unclean shutdown are still unchecked. Background loads still queued fail. Waits for no
   * download; one still running when the cache closes is not counted as written and leaves the
   * marker for the next process.
   */
  @Override
  public void close() {
    List<String> files;
    boolean clean;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      for (Map.Entry<String, Load> e : inFlight.entrySet()) { // queued, never started: fail them
        if (e.getValue().claimed.compareAndSet(false, true)) {
          inFlight.remove(e.getKey(), e.getValue());
          e.getValue().result.completeExceptionally(new IOException(e.getKey() + ": cache closed"));
        }
      }
      files = new ArrayList<>(written);
      written.clear();
      clean = unverified == 0 && inFlight.isEmpty();
    }
    metrics.cacheClosed();
    try {
      Set<Path> dirs = new LinkedHashSet<>();
      for (String f : files) {
        Path p = root.resolve(f);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
          ch.force(false);
        } catch (NoSuchFileException e) {
          continue; // evicted meanwhile
        }
        dirs.add(p.getParent());
      }
      for (Path d : dirs) {
        try {
          fsyncDirectory(d);
        } catch (NoSuchFileException e) {
          // emptied and removed meanwhile: nothing of it to keep
        }
      }
      if (clean) {
        Files.deleteIfExists(root.resolve(DIRTY));
        fsyncDirectory(root);
      } else {
        log.info("cache {}: objects remain to be checked; the next open checks them", root);
      }
    } catch (IOException e) {
      log.warn("cache {}: cannot sync at close; the next open checks every object", root, e);
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private synchronized void forget(String key, Stored stored) {
    if (lru.remove(key, stored)) {
      usedBytes -= stored.size();
      if (!stored.verified()) {
        unverified--;
      }
    }
  }

  /** An object taken out of the LRU by eviction, its file still to be deleted. */
  private record Evicted(String key, Stored stored) {}

  // holds this; forgets objects only: their files are deleted by deleteEvicted, outside the lock
  private List<Evicted> evictIfNeeded(String keep) {
    List<Evicted> evicted = new ArrayList<>();
    if (quotaBytes <= 0 || usedBytes <= quotaBytes) {
      return evicted;
    }
    Iterator<Map.Entry<String, Stored>> it = lru.entrySet().iterator();
    while (usedBytes > quotaBytes && it.hasNext()) {
      Map.Entry<String, Stored> e = it.next();
      if (e.getKey().equals(keep) || pins.containsKey(e.getKey())) {
        continue;
      }
      Stored s = e.getValue();
      usedBytes -= s.size();
      if (!s.verified()) {
        unverified--;
      }
      metrics.cacheEvicted(s.size());
      written.remove(s.file());
      it.remove();
      evicted.add(new Evicted(e.getKey(), s));
    }
    if (usedBytes > quotaBytes) {
      log.warn(
          "cache: {} bytes in use exceed the quota of {} (pinned objects)", usedBytes, quotaBytes);
    }
    return evicted;
  }

  /** Deletes the files of evicted objects, unless one was stored again under the same name. */
  private void deleteEvicted(List<Evicted> evicted) {
    for (Evicted e : evicted) {
      synchronized (this) {
        Stored now = lru.get(e.key());
        if (now != null && now.file().equals(e.stored().file())) {
          continue; // fetched again meanwhile: the file is the new one's
        }
      }
      try {
        Files.deleteIfExists(root.resolve(e.stored().file()));
        log.debug("cache: evicted {} ({} bytes)", e.stored().file(), e.stored().size());
      } catch (IOException ex) {
        log.warn("cache: cannot delete evicted {}; the next open finds it", e.stored().file(), ex);
      }
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
    record Found(String key, Stored stored, long mtime) {}
    List<Found> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root.resolve("data"))) {
      for (Path dir : dirs) {
        if (!Files.isDirectory(dir)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
          for (Path f : files) {
            if (Files.isRegularFile(f)) {
              String file = root.relativize(f).toString();
              Integer crc = crcOfName(file);
              String key = crc == null ? file : file.substring(0, file.length() - 9);
              Stored s = new Stored(file, Files.size(f), crc, crc == null || !unclean);
              found.add(new Found(key, s, Files.getLastModifiedTime(f).toMillis()));
            }
          }
        }
      }
    }
    found.sort((a, b) -> Long.compare(a.mtime(), b.mtime()));
    synchronized (this) {
      for (Found f : found) {
        Stored old = lru.put(f.key(), f.stored());
        if (old != null) { // two files of one object (a crash between rename and delete)
          usedBytes -= old.size();
          unverified -= old.verified() ? 0 : 1;
          Files.deleteIfExists(root.resolve(old.file()));
        }
        usedBytes += f.stored().size();
        unverified += f.stored().verified() ? 0 : 1;
      }
    }
    log.debug("cache {}: {} objects, {} bytes", root, found.size(), usedBytes);
  }

  /** The CRC32C of a name ending in {@code .xxxxxxxx}, or null if it has none. */
  private static Integer crcOfName(String file) {
    int dot = file.length() - 9;
    if (dot < 0 || file.charAt(dot) != '.') {
      return null;
    }
    try {
      return (int) Long.parseLong(file.substring(dot + 1), 16);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String hex(int crc) {
    return String.format(Locale.ROOT, "%08x", crc);
  }

  private static int crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        crc.update(buf);
        buf.clear();
      }
    }
    return (int) crc.getValue();
  }

  private static long copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
      total += n;
    }
    return total;
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
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
}
