package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.manifest.KeyFiles;
import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.manifest.Signatures;
import io.cvmfsthin.cvmfs.manifest.SignedDocument;
import io.cvmfsthin.cvmfs.manifest.Whitelist;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge: creates, publishes to and re-signs one stratum-0 repository at {@code <storage>/<fqrn>/},
 * so that a static web server serving {@code storage} at {@code /cvmfs/} serves it (spec §11). Keys
 * live in a separate keys directory ({@link RepositoryKeys}).
 *
 * <p>A publish ({@link #publish}), or a {@link #transaction} of several, is one new revision:
 * content objects, then catalogs, history and certificate objects, all synced; then the reflog and
 * last the signed manifest, each renamed into place. Killed at any moment, the repository serves
 * the old or the new revision; a publish that fails removes the objects it created and leaves the
 * old revision as it was. Publishes to one repository are serialized, within and across processes;
 * each builds on the revision before. Instances are cheap, immutable and thread-safe.
 */
public final class RepositoryPublisher {
  private static final Logger log = LoggerFactory.getLogger(RepositoryPublisher.class);
  private static final Pattern FQRN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  /**
   * Points of a publish at which tests stop it, as a crash would; the first two are reached once
   * per applied publication, the last once per revision.
   */
  enum Stage {
    CONTENT_WRITTEN,
    CATALOGS_WRITTEN,
    BEFORE_MANIFEST
  }

  /** Test hook: called at each {@link Stage}; may throw or halt the JVM. */
  interface Hook {
    void reached(Stage stage) throws IOException;
  }

  private final Path repository;
  private final Path keysDir;
  private final String fqrn;
  private final RepositorySettings settings;
  private final Clock clock;
  private final Hook hook;
  private final Executor executor; // compression and hashing of contents
  private final Executor syncExecutor; // the objects' fsyncs (waiting on the disk)

  private RepositoryPublisher(
      Path repository,
      Path keysDir,
      String fqrn,
      RepositorySettings settings,
      Clock clock,
      Hook hook,
      Executor executor,
      Executor syncExecutor) {
    this.executor = executor;
    this.syncExecutor = syncExecutor;
    this.repository = repository;
    this.keysDir = keysDir;
    this.fqrn = fqrn;
    this.settings = settings;
    this.clock = clock;
    this.hook = hook;
  }

  /**
   * Creates a new repository (revision 0: an empty root directory) with fresh keys in {@code
   * keysDir}, or with the keys already there if all four files exist. Refuses a bad name and an
   * existing repository; on failure leaves nothing behind.
   */
  public static RepositoryPublisher create(
      Path storage,
      Path keysDir,
      String fqrn,
      RepositorySettings settings,
      int whitelistDays,
      Clock clock)
      throws IOException {
    requireValidFqrn(fqrn);
    if (whitelistDays < 1) {
      throw new IllegalArgumentException("whitelist validity must be at least 1 day");
    }
    Path repository = storage.resolve(fqrn);
    if (Files.exists(repository)) {
      throw new FileAlreadyExistsException(
          repository.toString(), null, "repository " + fqrn + " exists already");
    }
    RepositoryKeys keys;
    boolean fresh = !RepositoryKeys.existIn(keysDir, fqrn);
    if (!fresh) {
      keys = RepositoryKeys.load(keysDir, fqrn, true);
    } else if (RepositoryKeys.anyIn(keysDir, fqrn)) {
      throw new FileAlreadyExistsException(
          keysDir.toString(),
          null,
          "some but not all key files of " + fqrn + " exist; remove them or add the missing ones");
    } else {
      keys = RepositoryKeys.generate(fqrn, clock);
    }
    Files.createDirectories(storage);
    Path staging = storage.resolve("." + fqrn + ".creating-" + UUID.randomUUID());
    List<Path> keyFiles = List.of();
    try {
      Files.createDirectory(staging);
      RepositoryCreation.populate(staging, fqrn, settings, keys, whitelistDays, clock);
      if (fresh) {
        keyFiles = keys.write(keysDir, fqrn);
      }
      Files.move(staging, repository, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      for (Path p : keyFiles) {
        Files.deleteIfExists(p);
      }
      throw e;
    } finally {
      StratumFiles.deleteRecursively(staging);
    }
    log.info("created repository {} in {}", fqrn, storage);
    return new RepositoryPublisher(
        repository, keysDir, fqrn, settings, clock, s -> {}, Runnable::run, Runnable::run);
  }

  /** Opens an existing repository for publishing; its settings come from its settings file. */
  public static RepositoryPublisher open(Path storage, Path keysDir, String fqrn, Clock clock)
      throws IOException {
    requireValidFqrn(fqrn);
    Path repository = storage.resolve(fqrn);
    Path manifest = repository.resolve(StratumFiles.MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      throw new NoSuchFileException(
          repository.toString(), null, "no repository " + fqrn + " in storage " + storage);
    }
    Path conf = repository.resolve(RepositorySettings.FILE_NAME);
    HashAlgorithm fromManifest = readManifest(repository).rootCatalog().algorithm();
    RepositorySettings settings =
        Files.isRegularFile(conf)
            ? RepositorySettings.parse(conf.toString(), Files.readAllBytes(conf), fromManifest)
            : RepositorySettings.DEFAULT.withHashAlgorithm(fromManifest);
    return new RepositoryPublisher(
        repository, keysDir, fqrn, settings, clock, s -> {}, Runnable::run, Runnable::run);
  }

  public static RepositoryPublisher open(Path storage, Path keysDir, String fqrn)
      throws IOException {
    return open(storage, keysDir, fqrn, Clock.systemUTC());
  }

  /** The same publisher with other settings for its publishes (e.g. other chunk sizes). */
  public RepositoryPublisher withSettings(RepositorySettings other) {
    return new RepositoryPublisher(
        repository, keysDir, fqrn, other, clock, hook, executor, syncExecutor);
  }

  /**
   * The same publisher compressing and storing file contents on {@code contentExecutor} (e.g. a
   * pool with one thread per CPU) while the source is read; the caller owns and shuts it down. By
   * default everything runs on the publishing thread.
   */
  public RepositoryPublisher withExecutor(Executor contentExecutor) {
    return new RepositoryPublisher(
        repository, keysDir, fqrn, settings, clock, hook, contentExecutor, syncExecutor);
  }

  /**
   * The same publisher forcing new objects to disk on {@code syncExecutor} (the caller owns and
   * shuts it down). fsyncs wait on the disk, not on a CPU, and the file system commits concurrent
   * ones together: a pool of a few dozen threads syncs thousands of small objects about ten times
   * faster than one thread. By default they run on the publishing thread.
   */
  public RepositoryPublisher withSyncExecutor(Executor syncExecutor) {
    return new RepositoryPublisher(
        repository, keysDir, fqrn, settings, clock, hook, executor, syncExecutor);
  }

  Executor executor() {
    return executor;
  }

  RepositoryPublisher withHook(Hook h) {
    return new RepositoryPublisher(
        repository, keysDir, fqrn, settings, clock, h, executor, syncExecutor);
  }

  public String fqrn() {
    return fqrn;
  }

  /** {@code <storage>/<fqrn>}, the directory served as the repository's base URL. */
  public Path repositoryDirectory() {
    return repository;
  }

  public RepositorySettings settings() {
    return settings;
  }

  /** The current manifest (unverified: this is our own storage). */
  public Manifest manifest() throws IOException {
    return readManifest(repository);
  }

  /**
   * The changes of one {@link #transaction}, applied in order, each on the tree the ones before
   * made. Valid only inside the body, on the thread that runs it.
   */
  public interface Transaction {
    /** The revision the transaction builds on (the current one when it began). */
    long baseRevision();

    /** Whether anything exists at {@code path}, as the transaction has made the tree so far. */
    boolean exists(String path) throws IOException;

    /**
     * The content of the regular file at {@code path}, as the transaction has made the tree so far;
     * empty if there is none (or it is not a regular file). For small files (metadata): a chunked
     * file is refused, and so is one over 16 MiB.
     */
    Optional<byte[]> read(String path) throws IOException;

    /**
     * Applies one publication (see {@link Publication} for what is replaced).
     *
     * @return false if it changed nothing: {@link Publication.Mode#ADD_IF_ABSENT} found its path
     */
    boolean apply(Publication publication) throws IOException;
  }

  /** The work of one transaction. */
  @FunctionalInterface
  public interface TransactionBody {
    void run(Transaction transaction) throws IOException;
  }

  /** Publishes one new revision; see {@link Publication} for what is replaced. */
  public PublishResult publish(Publication publication) throws IOException {
    return transaction(t -> t.apply(publication));
  }

  /**
   * Runs {@code body} under the publish lock and makes what it applied one new revision, signed
   * once; no revision at all if it applied nothing. A body that throws, or a failure anywhere,
   * leaves the previous revision served and removes every object the transaction created. Later
   * publications see what earlier ones applied ({@link Transaction#exists}, {@link
   * Transaction#read}); each catalog comes out as if touched once, and intermediate catalogs are
   * not kept. Other publishers of the repository wait until the body returns.
   */
  public PublishResult transaction(TransactionBody body) throws IOException {
    RepositoryKeys keys = RepositoryKeys.load(keysDir, fqrn, false);
    try (PublishLock lock = PublishLock.acquire(repository)) {
      StratumFiles.cleanTxn(repository);
      Manifest head = readManifest(repository);
      checkWhitelisted(keys.certificate());
      long now = Math.max(clock.instant().getEpochSecond(), head.publishedEpochSeconds());
      Path work = Files.createTempDirectory(repository.resolve("data/txn"), "publish-");
      try (ObjectStore store =
          new ObjectStore(repository, settings.hashAlgorithm(), syncExecutor)) {
        boolean done = false;
        try (RevisionPublish txn = new RevisionPublish(this, store, work, head, keys, now)) {
          body.run(txn);
          PublishResult result = txn.commit();
          done = true;
          return result;
        } finally {
          if (!done) {
            store.removeCreated();
          }
          StratumFiles.deleteRecursively(work);
        }
      }
    }
  }

  /**
   * Renews the whitelist for {@code days} days with the current certificate (needs the master key).
   */
  public void resign(int days) throws IOException {
    if (days < 1) {
      throw new IllegalArgumentException("whitelist validity must be at least 1 day");
    }
    RepositoryKeys keys = RepositoryKeys.load(keysDir, fqrn, true);
    try (PublishLock lock = PublishLock.acquire(repository)) {
      StratumFiles.replace(
          repository.resolve(StratumFiles.WHITELIST),
          signedWhitelist(fqrn, keys, settings.hashAlgorithm(), days, clock));
    }
    log.info("re-signed the whitelist of {} for {} days", fqrn, days);
  }

  /**
   * Deletes the objects that no retained revision references (see {@link GarbageCollector}), as
   * {@code cvmfs_server gc} does. Holds the publish lock from the first catalog read to the last
   * deletion: a publish that starts meanwhile waits, since it may reuse (deduplicate) an object the
   * mark found unreferenced. A dry run deletes and rewrites nothing and reports the same counts.
   */
  public GarbageCollection.Result collectGarbage(
      GarbageCollection.Retention retention, boolean dryRun, GarbageCollection.Listener listener)
      throws IOException {
    return collectGarbage(retention, dryRun, listener, f -> {});
  }

  GarbageCollection.Result collectGarbage(
      GarbageCollection.Retention retention,
      boolean dryRun,
      GarbageCollection.Listener listener,
      GarbageCollector.SweepHook hook)
      throws IOException {
    RepositoryKeys keys = RepositoryKeys.load(keysDir, fqrn, false);
    try (PublishLock lock = PublishLock.acquire(repository)) {
      Manifest head = readManifest(repository);
      Path txn = Files.createDirectories(repository.resolve("data/txn"));
      Path work = Files.createTempDirectory(txn, "gc-");
      try (ObjectStore store = new ObjectStore(repository, settings.hashAlgorithm())) {
        if (!dryRun) {
          requireSigningCertificate(store, head, keys);
        }
        GarbageCollector gc = new GarbageCollector(repository, fqrn, store, work);
        GarbageCollection.Marked marked =
            gc.mark(head, retention, clock.instant().getEpochSecond());
        listener.marked(marked);
        GarbageCollection.Swept swept = gc.sweep(dryRun, hook);
        listener.swept(swept);
        int pruned = 0;
        Path liveReflog = repository.resolve(StratumFiles.REFLOG);
        if (!dryRun && Files.exists(liveReflog)) {
          Path staged = work.resolve("reflog.db");
          pruned = gc.pruneReflog(liveReflog, staged);
          if (pruned > 0) {
            ContentHash y = settings.hashAlgorithm().hash(Files.readAllBytes(staged));
            Manifest next =
                new Manifest(
                    head.rootCatalog(),
                    head.rootCatalogSizeBytes(),
                    head.ttlSeconds(),
                    head.revision(),
                    head.garbageCollectable(),
                    head.alternativePaths(),
                    head.fqrn(),
                    head.certificate(),
                    head.history(),
                    head.publishedEpochSeconds(),
                    head.metainfo(),
                    y);
            byte[] signed = signedManifest(next, keys);
            StratumFiles.commit(staged, liveReflog);
            StratumFiles.replace(repository.resolve(StratumFiles.MANIFEST), signed);
            log.info("{}: gc dropped {} reflog entries of deleted objects", fqrn, pruned);
          }
        }
        return new GarbageCollection.Result(marked, swept, pruned);
      } finally {
        StratumFiles.deleteRecursively(work);
      }
    }
  }

  /**
   * A collection may re-sign the manifest without changing its certificate ({@code X}): refuses,
   * before anything is deleted, keys whose certificate is not that one.
   */
  private void requireSigningCertificate(ObjectStore store, Manifest head, RepositoryKeys keys)
      throws IOException {
    byte[] current =
        store.read(head.certificate(), ObjectType.CERTIFICATE, Compression.ZLIB, 1 << 20);
    if (!java.util.Arrays.equals(current, KeyFiles.toPem(keys.certificate()))) {
      throw new IOException(
          "the certificate in "
              + keysDir
              + " is not the one revision "
              + head.revision()
              + " of "
              + fqrn
              + " is signed with; publish once with these keys before collecting garbage");
    }
  }

  // --- used by RevisionPublish and RepositoryCreation ---

  Hook hook() {
    return hook;
  }

  static byte[] signedWhitelist(
      String fqrn, RepositoryKeys keys, HashAlgorithm algorithm, int days, Clock clock) {
    Whitelist w =
        Whitelist.create(
            fqrn,
            clock.instant(),
            days,
            List.of(Signatures.fingerprint(keys.certificate(), algorithm)));
    byte[] body = w.toBody();
    String hashLine = SignedDocument.hashLineOf(body, algorithm);
    byte[] sig =
        Signatures.signWhitelist(keys.masterKey(), hashLine.getBytes(StandardCharsets.US_ASCII));
    return new SignedDocument(body, hashLine, sig).toBytes();
  }

  static byte[] signedManifest(Manifest m, RepositoryKeys keys) {
    byte[] body = m.toBody();
    String hashLine = SignedDocument.hashLineOf(body, m.rootCatalog().algorithm());
    byte[] sig =
        Signatures.signManifest(
            keys.certificateKey(), hashLine.getBytes(StandardCharsets.US_ASCII));
    return new SignedDocument(body, hashLine, sig).toBytes();
  }

  static ContentHash storeCertificate(ObjectStore store, X509Certificate cert) throws IOException {
    return store.put(KeyFiles.toPem(cert), ObjectType.CERTIFICATE, Compression.ZLIB);
  }

  static void requireValidFqrn(String fqrn) {
    if (fqrn == null
        || !FQRN.matcher(fqrn).matches()
        || fqrn.indexOf('.') < 0
        || fqrn.contains("..")
        || fqrn.endsWith(".")
        || fqrn.length() > 200) {
      throw new IllegalArgumentException(
          "bad repository name '"
              + fqrn
              + "': expected a fully qualified name like demo.example.org (letters, digits, '-',"
              + " '_', at least one dot, no '..' or '/')");
    }
  }

  static Manifest readManifest(Path repository) throws IOException {
    Path p = repository.resolve(StratumFiles.MANIFEST);
    SignedDocument doc = SignedDocument.parse(p.toString(), Files.readAllBytes(p));
    return Manifest.parse(doc.body());
  }

  private void checkWhitelisted(X509Certificate cert) throws IOException {
    Path p = repository.resolve(StratumFiles.WHITELIST);
    Whitelist w = Whitelist.parse(SignedDocument.parse(p.toString(), Files.readAllBytes(p)).body());
    for (ContentHash f : w.fingerprints()) {
      if (Signatures.fingerprint(cert, f.algorithm()).equals(f)) {
        if (!w.isValidAt(clock.instant())) {
          log.warn(
              "the whitelist of {} expired at {}; clients refuse new revisions until `repo resign`",
              fqrn,
              w.expires());
        }
        return;
      }
    }
    throw new IOException(
        "the certificate in "
            + keysDir
            + " is not listed in the whitelist of "
            + fqrn
            + "; re-sign the whitelist (repo resign) first");
  }

  Path repository() {
    return repository;
  }

  String fqrnName() {
    return fqrn;
  }
}
