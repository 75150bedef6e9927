package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.cache.ObjectCache;
import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.catalog.Symlinks;
import io.cvmfsthin.cvmfs.fetch.StratumClient;
import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.manifest.ManifestFormatException;
import io.cvmfsthin.cvmfs.manifest.TrustChain;
import io.cvmfsthin.cvmfs.manifest.TrustException;
import io.cvmfsthin.cvmfs.metrics.RepositoryMetrics;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.DigestMismatchException;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import io.cvmfsthin.cvmfs.sqlite.Catalog;
import io.cvmfsthin.cvmfs.sqlite.HistoryDatabase;
import io.cvmfsthin.cvmfs.sqlite.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one CernVM-FS repository over HTTP (or {@code file://}): the facade the FUSE mount, the
 * graph driver and the publisher's round-trip tests use.
 *
 * <p>{@link #open} verifies the trust chain (master key → whitelist → certificate → manifest, spec
 * §3.5), then attaches the root catalog of HEAD or of the configured tag. Paths are repository
 * paths: {@code ""} is the root, others look like {@code /a/b} ({@code "/"} and a trailing slash
 * are accepted too). Nested catalogs, file objects and chunks are fetched on first use, verified
 * and kept in the object cache. {@link #refresh} picks up a newer revision when the root catalog's
 * TTL has passed and never goes back to an older one.
 *
 * <p>Fetching: at most {@link ClientSettings#maxConcurrentFetches()} objects are fetched at once (a
 * semaphore around each HTTP fetch of an object, whoever asks: a reader's thread, read-ahead or
 * prefetch); background fetches ({@link #fetchAsync}) run on the settings' executor or on a pool of
 * as many named daemon threads that the client owns. One fetch per object however many ask ({@link
 * ObjectCache#get}).
 *
 * <p>Thread-safe. The current revision is an immutable snapshot swapped atomically; a replaced
 * revision's catalogs stay open until the next swap or {@link #close}, so readers that started on
 * it finish. The caller owns the client and closes it.
 */
public final class RepositoryClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RepositoryClient.class);
  private static final int MAX_SIGNED_DOCUMENT_BYTES = 1 << 20;
  private static final int MAX_CERTIFICATE_BYTES = 1 << 20;

  private final ClientSettings settings;
  private final StratumClient stratum;
  private final ObjectCache cache;
  private final TrustChain trust;
  private final Semaphore fetchPermits; // one per HTTP fetch of an object in progress
  private final Executor fetchExecutor; // background fetches
  private final ExecutorService ownedPool; // fetchExecutor if the client made it, else null
  private final Object swapLock = new Object(); // guards the fields below and the swap of current
  private volatile Revision current;
  private Revision retired; // guarded by swapLock
  private CompletableFuture<Boolean> refreshing; // guarded by swapLock: the refresh under way
  private boolean closed; // guarded by swapLock

  /** One mounted revision: the verified manifest, the tree in use, when it was last checked. */
  private record Revision(
      Manifest manifest, Tag tag, CatalogTree tree, Queue<ContentHash> pinned, Instant checked) {
    Revision checkedAt(Instant t) {
      return new Revision(manifest, tag, tree, pinned, t);
    }
  }

  private RepositoryClient(ClientSettings settings, StratumClient stratum, ObjectCache cache) {
    this.settings = settings;
    this.stratum = stratum;
    this.cache = cache;
    this.trust =
        new TrustChain(
            settings.fqrn(), settings.masterKeys(), settings.blacklist(), settings.clock());
    this.fetchPermits = new Semaphore(settings.maxConcurrentFetches(), true);
    if (settings.fetchExecutor() != null) {
      this.ownedPool = null;
      this.fetchExecutor = settings.fetchExecutor();
    } else {
      this.ownedPool = fetchPool(settings.fqrn(), settings.maxConcurrentFetches());
      this.fetchExecutor = ownedPool;
    }
  }

  /** Named daemon threads, as many as fetches may run; idle ones end after a while. */
  private static ExecutorService fetchPool(String fqrn, int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "cvmfs-fetch-" + fqrn + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * Connects, verifies the current manifest and attaches the root catalog (of the tag, if set).
   *
   * @throws TrustException if the trust chain does not hold, naming the file and the reason
   * @throws io.cvmfsthin.cvmfs.fetch.FetchException if no server could deliver a file
   */
  public static RepositoryClient open(ClientSettings settings) throws IOException {
    RepositoryMetrics metrics = settings.metrics().repository(settings.fqrn());
    StratumClient stratum =
        new StratumClient(
            settings.servers(),
            settings.proxyGroups(),
            settings.fetch(),
            settings.clock(),
            metrics);
    ObjectCache cache = ObjectCache.open(settings.cacheDir(), settings.quotaBytes(), metrics);
    RepositoryClient client = new RepositoryClient(settings, stratum, cache);
    try {
      Manifest m = client.verifiedManifest();
      client.checkNotOlderThanBefore(m);
      client.current = client.attach(m);
      client.remember(m);
      log.info(
          "repository {}: revision {} ({}) from {}",
          settings.fqrn(),
          client.revision(),
          client.current.tree().rootHash(),
          stratum.currentServer());
      return client;
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  public String fqrn() {
    return settings.fqrn();
  }

  /** The verified manifest of the repository's current revision (HEAD, even when a tag is read). */
  public Manifest manifest() {
    return current.manifest();
  }

  /** The revision being read: the tag's if one is set, else the manifest's. */
  public long revision() {
    Revision r = current;
    return r.tag() != null ? r.tag().revision() : r.manifest().revision();
  }

  /** The hash of the root catalog being read. */
  public ContentHash rootCatalog() {
    return current.tree().rootHash();
  }

  /** The tag being read, or null for HEAD. */
  public Tag tag() {
    return current.tag();
  }

  /** The base URL requests go to first (after failovers, the one that last worked). */
  public String currentServer() {
    return stratum.currentServer();
  }

  /** Where this repository's fetches, cache use and FUSE calls are reported. */
  public RepositoryMetrics metrics() {
    return settings.metrics().repository(settings.fqrn());
  }

  /** What the client has fetched and found in its cache so far. */
  public ClientCounters counters() {
    return new ClientCounters(
        stratum.downloads(),
        stratum.downloadedBytes(),
        stratum.failedFetches(),
        cache.hits(),
        cache.misses(),
        cache.usedBytes(),
        cache.quotaBytes());
  }

  /** The effective TTL of the current revision: the root catalog's, capped by {@code maxTtl}. */
  public Duration ttl() {
    Duration ttl = Duration.ofSeconds(current.tree().root().ttlSeconds());
    if (settings.maxTtl() != null && settings.maxTtl().compareTo(ttl) < 0) {
      ttl = settings.maxTtl();
    }
    return ttl;
  }

  /** The entry at {@code path}; {@code ""} is the root. */
  public DirectoryEntry lookup(String path) throws IOException {
    String p = Md5Path.normalize(path);
    return current.tree().locate(p).orElseThrow(() -> noSuchFile(p)).entry();
  }

  /** The visible entries of directory {@code dir}, sorted by name. */
  public List<DirectoryEntry> list(String dir) throws IOException {
    String p = Md5Path.normalize(dir);
    CatalogTree tree = current.tree();
    CatalogTree.Located at = tree.locate(p).orElseThrow(() -> noSuchFile(p));
    if (!at.entry().isDirectory()) {
      throw new NotDirectoryException(show(p));
    }
    Catalog holder = at.entry().isNestedMountpoint() ? tree.child(at.catalog(), p) : at.catalog();
    return holder.list(p);
  }

  /** The chunks of a chunked regular file; empty for a file stored as one object. */
  public List<FileChunk> chunks(String path) throws IOException {
    String p = Md5Path.normalize(path);
    CatalogTree.Located at = current.tree().locate(p).orElseThrow(() -> noSuchFile(p));
    DirectoryEntry e = at.entry();
    if (!e.isRegular() || !e.chunked()) {
      return List.of();
    }
    return at.catalog().chunks(p, e.hashAlgorithm(), e.sizeBytes());
  }

  /**
   * The target of a symlink with {@code $(NAME)} variables expanded from this process's
   * environment, as the stock client's {@code readlink} answers; {@link DirectoryEntry#symlink()}
   * is the raw target.
   */
  public String readlink(String path) throws IOException {
    DirectoryEntry e = lookup(path);
    if (!e.isSymlink()) {
      throw new FileSystemException(show(e.path()), null, "not a symbolic link");
    }
    return Symlinks.expand(e.symlink(), System::getenv);
  }

  /**
   * The content of a regular file, verified; a chunked file's chunks are fetched as reading reaches
   * them. The caller closes the stream.
   */
  public InputStream open(String path) throws IOException {
    String p = Md5Path.normalize(path);
    CatalogTree.Located at = current.tree().locate(p).orElseThrow(() -> noSuchFile(p));
    DirectoryEntry e = requireReadable(p, at.entry());
    if (e.chunked()) {
      List<FileChunk> chunks = at.catalog().chunks(p, e.hashAlgorithm(), e.sizeBytes());
      return new ChunkedInputStream(
          chunks,
          c ->
              openObject(
                  c.hash(),
                  ObjectType.PARTIAL,
                  e.compression(),
                  c.sizeBytes(),
                  "chunk at " + c.offset() + " of " + show(p)),
          c -> fetchAsync(c.hash(), ObjectType.PARTIAL, e.compression(), c.sizeBytes()),
          settings.readaheadChunks());
    }
    return openObject(e.hash(), ObjectType.FILE, e.compression(), e.sizeBytes(), show(p));
  }

  /**
   * Random access to the content of a regular file (for FUSE reads): positioned reads fetch only
   * the chunks they touch. The caller closes the channel.
   */
  public SeekableByteChannel openChannel(String path) throws IOException {
    String p = Md5Path.normalize(path);
    CatalogTree.Located at = current.tree().locate(p).orElseThrow(() -> noSuchFile(p));
    DirectoryEntry e = requireReadable(p, at.entry());
    List<FileChunk> chunks =
        e.chunked()
            ? at.catalog().chunks(p, e.hashAlgorithm(), e.sizeBytes())
            : List.of(new FileChunk(0, e.sizeBytes(), e.hash()));
    ObjectType type = e.chunked() ? ObjectType.PARTIAL : ObjectType.FILE;
    return new FileContentChannel(
        chunks,
        e.sizeBytes(),
        c ->
            cached(
                c.hash(),
                type,
                e.compression(),
                c.sizeBytes(),
                c.sizeBytes(),
                e.chunked() ? "chunk at " + c.offset() + " of " + show(p) : show(p)));
  }

  /**
   * The verified content of a cached object as a file, fetched if needed; for callers that want
   * random access (FUSE reads). The file may be evicted later; open it right away.
   */
  public Path objectFile(ContentHash hash, ObjectType type, Compression compression, long sizeBytes)
      throws IOException {
    return cached(
        hash, type, compression, sizeBytes, settings.maxCatalogBytes(), type + " " + hash);
  }

  /**
   * Fetches an object into the cache in the background, on the bounded fetch pool, and completes
   * with its cached file (already there: at once). A fetch of the same object already running or
   * queued is shared, and a reader that asks for an object still queued here fetches it itself
   * rather than wait behind the queue: one fetch per object in every case. The file may be evicted
   * later; open it right away. Cancelling the future does not stop the fetch.
   *
   * @param sizeBytes the inflated size the catalog gives (checked), or -1 for a catalog or history
   *     database (then capped at {@code maxCatalogBytes})
   */
  public CompletableFuture<Path> fetchAsync(
      ContentHash hash, ObjectType type, Compression compression, long sizeBytes) {
    long max = sizeBytes >= 0 ? sizeBytes : settings.maxCatalogBytes();
    return cache.getAsync(
        hash,
        type,
        loader(hash, type, compression, sizeBytes, max, type + " " + hash),
        fetchExecutor);
  }

  /**
   * Chunks a sequential read fetches ahead of the one it reads ({@code CVMFS_READAHEAD_CHUNKS}).
   */
  public int readaheadChunks() {
    return settings.readaheadChunks();
  }

  /** The tags of the repository's history database (empty if it has none), oldest first. */
  public List<Tag> tags() throws IOException {
    Manifest m = current.manifest();
    return m.history() == null ? List.of() : history(m).tags();
  }

  /**
   * Checks for a new revision if the root catalog's TTL (capped by {@code maxTtl}) has passed since
   * the last check; see {@link #refreshNow}. With a tag set, the revision is pinned: always false.
   */
  public boolean refresh() throws IOException {
    Revision r = current;
    if (r.tag() != null) {
      return false;
    }
    if (settings.clock().instant().isBefore(r.checked().plus(ttl()))) {
      return false;
    }
    return refreshNow();
  }

  /**
   * Fetches and verifies the manifest now; attaches its root catalog if its revision is newer.
   *
   * @return true if a newer revision is now current
   * @throws TrustException if the manifest does not verify, or names an older revision or an older
   *     publish time than the current one (a rollback); the current revision stays
   */
  public boolean refreshNow() throws IOException {
    CompletableFuture<Boolean> running;
    boolean mine = false;
    synchronized (swapLock) {
      if (refreshing == null) {
        refreshing = new CompletableFuture<>();
        mine = true;
      }
      running = refreshing;
    }
    if (mine) {
      Boolean result = null;
      Exception failure = null;
      try {
        result = refreshOnce();
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
      synchronized (swapLock) {
        refreshing = null;
      }
      if (failure != null) {
        running.completeExceptionally(failure);
      } else {
        running.complete(result);
      }
    }
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("repository " + settings.fqrn() + ": waiting for a refresh");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) e.getCause();
    }
  }

  /**
   * One refresh: the manifest and the new root catalog are fetched without a lock (callers of
   * {@link #refreshNow} meanwhile wait for this one, so it is the only one); only the swap of the
   * current revision takes {@link #swapLock}.
   */
  private boolean refreshOnce() throws IOException {
    Revision r = current;
    if (r.tag() != null) {
      return false;
    }
    Manifest m = verifiedManifest();
    Instant now = settings.clock().instant();
    Manifest old = r.manifest();
    if (m.rootCatalog().equals(old.rootCatalog())) {
      current = r.checkedAt(now); // only this refresh swaps current
      return false;
    }
    if (m.revision() <= old.revision()) {
      throw new TrustException(
          ".cvmfspublished from "
              + stratum.currentServer()
              + ": revision "
              + m.revision()
              + " is not newer than the current revision "
              + old.revision()
              + "; refused (rollback)");
    }
    long minimum =
        Math.max(old.publishedEpochSeconds(), r.tree().root().lastModifiedEpochSeconds());
    if (m.publishedEpochSeconds() < minimum) {
      throw new TrustException(
          ".cvmfspublished: published at "
              + m.publishedEpochSeconds()
              + ", before the current revision's "
              + minimum
              + "; refused (outdated)");
    }
    Revision next = attach(m);
    synchronized (swapLock) {
      if (closed) {
        release(next);
        throw new IOException("repository " + settings.fqrn() + ": closed during a refresh");
      }
      if (retired != null) {
        release(retired);
      }
      retired = r;
      current = next;
    }
    remember(m);
    log.info(
        "repository {}: revision {} -> {} ({})",
        settings.fqrn(),
        old.revision(),
        m.revision(),
        m.rootCatalog());
    return true;
  }

  @Override
  public void close() {
    synchronized (swapLock) {
      closed = true;
      if (retired != null) {
        release(retired);
        retired = null;
      }
      if (current != null) {
        release(current);
      }
      if (ownedPool != null) {
        ownedPool.shutdownNow(); // queued read-ahead and prefetch are dropped; fetches stop
        try {
          if (!ownedPool.awaitTermination(10, TimeUnit.SECONDS)) {
            log.warn("repository {}: fetch threads still running after close", settings.fqrn());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      cache.close();
    }
  }

  // --- trust chain ---

  /**
   * Fetches manifest, whitelist and certificate and verifies the chain. Bad documents make the
   * stratum client fail over per file; a chain that does not verify is retried once on each other
   * server (spec §1.1). The error names the file and the reason, from every server tried.
   */
  private Manifest verifiedManifest() throws IOException {
    List<TrustException> failures = new ArrayList<>();
    for (int attempt = 0; attempt < stratum.servers().size(); attempt++) {
      try {
        return verifyOnce();
      } catch (TrustException e) {
        failures.add(e);
        log.warn("repository {}: {}", settings.fqrn(), e.getMessage());
        stratum.failOver();
      }
    }
    if (failures.size() == 1) {
      throw failures.get(0);
    }
    List<String> messages = new ArrayList<>();
    failures.forEach(f -> messages.add(f.getMessage()));
    throw new TrustException(String.join("; ", messages), failures.get(0));
  }

  private Manifest verifyOnce() throws IOException {
    TrustChain.SignedManifest signed =
        stratum.fetch(
            ".cvmfspublished",
            (in, src) -> trust.parseManifest(readCapped(in, MAX_SIGNED_DOCUMENT_BYTES, src)));
    byte[] whitelist =
        stratum.fetch(
            ".cvmfswhitelist",
            (in, src) -> {
              byte[] bytes = readCapped(in, MAX_SIGNED_DOCUMENT_BYTES, src);
              io.cvmfsthin.cvmfs.manifest.SignedDocument.parse(src, bytes);
              return bytes;
            });
    ContentHash x = signed.manifest().certificate();
    byte[] certificatePem =
        stratum.fetch(
            x.objectPath(ObjectType.CERTIFICATE),
            (in, src) -> {
              byte[] stored = readCapped(in, MAX_CERTIFICATE_BYTES, src);
              ContentHash actual = x.algorithm().hash(stored);
              if (!actual.equals(x)) {
                throw new DigestMismatchException("certificate " + src, x, actual);
              }
              return Zlib.inflate(stored, MAX_CERTIFICATE_BYTES);
            });
    return trust.verify(signed, whitelist, certificatePem);
  }

  /** Refuses a manifest published before the one accepted last time (spec §10.1). */
  private void checkNotOlderThanBefore(Manifest m) throws IOException {
    Path file = Breadcrumb.file(settings.cacheDir(), settings.fqrn());
    Breadcrumb seen = Breadcrumb.read(file).orElse(null);
    if (seen != null && m.publishedEpochSeconds() < seen.publishedEpochSeconds()) {
      throw new TrustException(
          ".cvmfspublished from "
              + stratum.currentServer()
              + ": revision "
              + m.revision()
              + " published at "
              + m.publishedEpochSeconds()
              + " is older than revision "
              + seen.revision()
              + " published at "
              + seen.publishedEpochSeconds()
              + " seen before ("
              + file
              + "); refused (rollback)");
    }
  }

  private void remember(Manifest m) {
    try {
      Breadcrumb.of(m).write(Breadcrumb.file(settings.cacheDir(), settings.fqrn()));
    } catch (IOException e) {
      log.warn("repository {}: cannot write the breadcrumb", settings.fqrn(), e);
    }
  }

  private static byte[] readCapped(InputStream in, int max, String source) throws IOException {
    byte[] bytes = in.readNBytes(max + 1);
    if (bytes.length > max) {
      throw new ManifestFormatException(source + ": larger than " + max + " bytes; refused");
    }
    return bytes;
  }

  // --- catalogs and objects ---

  private Revision attach(Manifest m) throws IOException {
    Tag tag = null;
    ContentHash root = m.rootCatalog();
    if (settings.tag() != null) {
      if (m.history() == null) {
        throw new NoSuchFileException(
            settings.fqrn(), null, "tag '" + settings.tag() + "': repository has no history");
      }
      HistoryDatabase h = history(m);
      tag =
          h.find(settings.tag())
              .orElseThrow(
                  () ->
                      new NoSuchFileException(
                          settings.fqrn(),
                          null,
                          "no tag '" + settings.tag() + "' (tags: " + names(h) + ")"));
      root = tag.rootCatalog();
    }
    Queue<ContentHash> pinned = new ConcurrentLinkedQueue<>();
    CatalogTree.CatalogLoader loader =
        (hash, size, mountpoint) -> loadCatalog(hash, mountpoint, pinned);
    Catalog rootCatalog = loadCatalog(root, "", pinned);
    return new Revision(
        m, tag, new CatalogTree(root, rootCatalog, loader), pinned, settings.clock().instant());
  }

  private Catalog loadCatalog(ContentHash hash, String mountpoint, Queue<ContentHash> pinned)
      throws IOException {
    String what = "catalog " + hash + "C for '" + mountpoint + "'";
    cache.pin(hash, ObjectType.CATALOG); // before it lands, so no eviction can come in between
    try {
      Path file =
          cached(hash, ObjectType.CATALOG, Compression.ZLIB, -1, settings.maxCatalogBytes(), what);
      Catalog catalog = Catalog.open(file, mountpoint, what);
      pinned.add(hash);
      return catalog;
    } catch (IOException | RuntimeException e) {
      cache.unpin(hash, ObjectType.CATALOG);
      throw e;
    }
  }

  private HistoryDatabase history(Manifest m) throws IOException {
    ContentHash h = m.history();
    String what = "history " + h + "H";
    Path file =
        cached(h, ObjectType.HISTORY, Compression.ZLIB, -1, settings.maxCatalogBytes(), what);
    return HistoryDatabase.read(file, what);
  }

  private Path cached(
      ContentHash hash,
      ObjectType type,
      Compression compression,
      long sizeBytes,
      long maxBytes,
      String what)
      throws IOException {
    return cache.get(hash, type, loader(hash, type, compression, sizeBytes, maxBytes, what));
  }

  /** Fetches an object into the cache, holding one of the fetch permits while it does. */
  private ObjectCache.Loader loader(
      ContentHash hash,
      ObjectType type,
      Compression compression,
      long sizeBytes,
      long maxBytes,
      String what) {
    String objectPath = hash.objectPath(type);
    return () -> {
      try {
        fetchPermits.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting to fetch " + what);
      }
      try {
        return stratum.fetch(
            objectPath,
            (in, src) ->
                cache.put(hash, type, compression, sizeBytes, maxBytes, in, what + " from " + src));
      } finally {
        fetchPermits.release();
      }
    };
  }

  private InputStream openObject(
      ContentHash hash, ObjectType type, Compression compression, long sizeBytes, String what)
      throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path file = cached(hash, type, compression, sizeBytes, sizeBytes, what);
      try {
        return Files.newInputStream(file);
      } catch (NoSuchFileException e) {
        if (attempt > 0) {
          throw e; // evicted twice between fetch and open: the quota is far too small
        }
      }
    }
  }

  private static DirectoryEntry requireReadable(String p, DirectoryEntry e)
      throws FileSystemException {
    if (!e.isRegular()) {
      throw new FileSystemException(show(p), null, "not a regular file (" + e.kind() + ")");
    }
    if (e.isExternal()) {
      throw new FileSystemException(
          show(p), null, "external file (catalog flag 128): not supported by this client");
    }
    if (!e.chunked() && e.hash() == null) {
      throw new FileSystemException(show(p), null, "regular file without content hash");
    }
    return e;
  }

  private void release(Revision r) {
    r.tree().close();
    for (ContentHash h : r.pinned()) {
      cache.unpin(h, ObjectType.CATALOG);
    }
  }

  private static String names(HistoryDatabase h) {
    List<String> names = new ArrayList<>();
    h.tags().forEach(t -> names.add(t.name()));
    return String.join(", ", names);
  }

  private NoSuchFileException noSuchFile(String path) {
    return new NoSuchFileException(show(path), null, "not in repository " + settings.fqrn());
  }

  private static String show(String path) {
    return path.isEmpty() ? "/" : path;
  }
}
