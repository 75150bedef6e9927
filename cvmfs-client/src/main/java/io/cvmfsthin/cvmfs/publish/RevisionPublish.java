package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge: one transaction, one new revision, in crash-safe order (spec §11.4). Each {@link #apply}
 * writes its content objects and catalogs on top of the catalog tree the one before made; {@link
 * #commit} then removes the intermediate catalogs no longer reachable, writes history and
 * certificate objects, syncs every new object, writes the reflog and last the signed manifest. Runs
 * under the publish lock, in a work directory below {@code data/txn/}; used by the thread that
 * holds the lock and only until {@link #commit} or {@link #close}.
 */
final class RevisionPublish implements RepositoryPublisher.Transaction, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RevisionPublish.class);

  /** What {@link #read} returns at most: metadata files, never layer contents. */
  static final long MAX_READ_BYTES = 16L << 20;

  private final RepositoryPublisher publisher;
  private final ObjectStore store;
  private final Path work;
  private final Manifest head;
  private final RepositoryKeys keys;
  private final long now;
  private final ContentWriter contents;
  private final TransactionCatalogs catalogs = new TransactionCatalogs();
  private final List<String> applied = new ArrayList<>(); // paths, in order
  private ContentHash root; // of the tree as applied so far
  private long rootSizeBytes;
  private boolean closed;

  RevisionPublish(
      RepositoryPublisher publisher,
      ObjectStore store,
      Path work,
      Manifest head,
      RepositoryKeys keys,
      long now) {
    this.publisher = publisher;
    this.store = store;
    this.work = work;
    this.head = head;
    this.keys = keys;
    this.now = now;
    RepositorySettings settings = publisher.settings();
    this.contents = new ContentWriter(store, settings.compression(), settings.chunking());
    this.root = head.rootCatalog();
    this.rootSizeBytes = head.rootCatalogSizeBytes();
  }

  @Override
  public long baseRevision() {
    return head.revision();
  }

  @Override
  public boolean exists(String path) throws IOException {
    String p = Md5Path.normalize(path);
    try (CatalogTreeWriter tree = tree()) {
      tree.openChain(root, p);
      return tree.exists(p);
    }
  }

  @Override
  public Optional<byte[]> read(String path) throws IOException {
    String p = Md5Path.normalize(path);
    CatalogDatabase.Row r;
    try (CatalogTreeWriter tree = tree()) {
      tree.openChain(root, p);
      r = tree.lookup(p);
    }
    int flags = r == null ? 0 : r.flags();
    if (r == null
        || !EntryFlags.has(flags, EntryFlags.FILE)
        || EntryFlags.has(flags, EntryFlags.LINK)
        || EntryFlags.has(flags, EntryFlags.SPECIAL)) {
      return Optional.empty();
    }
    if (EntryFlags.has(flags, EntryFlags.CHUNKED) || EntryFlags.has(flags, EntryFlags.EXTERNAL)) {
      throw new IOException(
          publisher.fqrn() + ": " + p + " is chunked or external; a transaction reads small files");
    }
    if (r.hash() == null) {
      return Optional.of(new byte[0]);
    }
    ContentHash hash = ContentHash.of(HashAlgorithm.fromFlags(flags), r.hash());
    return Optional.of(
        store.read(hash, ObjectType.FILE, EntryFlags.compression(flags), MAX_READ_BYTES));
  }

  @Override
  public boolean apply(Publication publication) throws IOException {
    String path = publication.path();
    CatalogTreeWriter.Built built;
    try (CatalogTreeWriter tree = tree()) {
      tree.openChain(root, path);
      if (publication.source() instanceof Publication.Removal) {
        if (!tree.exists(path)) {
          return false;
        }
        built = tree.replace(path, null, false);
        root = built.hash();
        rootSizeBytes = built.sizeBytes();
        applied.add(path);
        log.info("{}: removed {}", publisher.fqrn(), display(path));
        return true;
      }
      if (publication.mode() == Publication.Mode.ADD_IF_ABSENT && tree.exists(path)) {
        log.info("{}: {} exists already, left as it is", publisher.fqrn(), display(path));
        return false;
      }
      SourceNode source;
      try (ContentTasks tasks = new ContentTasks(publisher.executor(), 64 << 20)) {
        if (publication.source() instanceof Publication.TarStream t) {
          source = TarSource.read(t.in(), contents, tasks, now);
        } else if (publication.source() instanceof Publication.Entries e) {
          source = SourceTree.read(e.reader(), contents, tasks, now);
        } else {
          Path dir = ((Publication.Directory) publication.source()).dir();
          source = new DirectorySource(contents, tasks).read(dir);
        }
        tasks.awaitAll();
      }
      publisher.hook().reached(RepositoryPublisher.Stage.CONTENT_WRITTEN);
      built =
          path.isEmpty()
              ? tree.replaceRoot(source)
              : tree.replace(path, source, publication.nestedCatalog());
    }
    publisher.hook().reached(RepositoryPublisher.Stage.CATALOGS_WRITTEN);
    root = built.hash();
    rootSizeBytes = built.sizeBytes();
    applied.add(path);
    return true;
  }

  /** A catalog writer on the tree as applied so far; it fails once the transaction is over. */
  private CatalogTreeWriter tree() {
    if (closed) {
      throw new IllegalStateException(
          publisher.fqrn() + ": the transaction is over; use it only inside its body");
    }
    return new CatalogTreeWriter(
        store, contents, work, publisher.settings(), now, head.revision() + 1, catalogs);
  }

  /**
   * Makes what was applied the new revision, or nothing if nothing was applied; ends the
   * transaction.
   */
  PublishResult commit() throws IOException {
    if (closed) {
      throw new IllegalStateException(publisher.fqrn() + ": the transaction is over");
    }
    closed = true;
    if (applied.isEmpty()) {
      return new PublishResult(head.revision(), head.rootCatalog(), false, 0, 0);
    }
    for (ContentHash intermediate : catalogs.unreachableFrom(root)) {
      store.removeCreated(intermediate, ObjectType.CATALOG);
    }
    RepositorySettings settings = publisher.settings();
    long revision = head.revision() + 1;
    ContentHash cert = RepositoryPublisher.storeCertificate(store, keys.certificate());
    Path historyFile = work.resolve("history.db");
    if (head.history() != null) {
      store.inflateTo(head.history(), ObjectType.HISTORY, historyFile, Long.MAX_VALUE);
    } else {
      HistoryDatabase.create(historyFile, publisher.fqrn());
    }
    HistoryDatabase.tagTrunk(historyFile, head.history(), root, revision, now, rootSizeBytes);
    ContentHash history = store.put(historyFile, ObjectType.HISTORY, Compression.ZLIB);
    store.syncCreated();

    Path reflog = work.resolve("reflog.db");
    Path liveReflog = publisher.repository().resolve(StratumFiles.REFLOG);
    if (Files.exists(liveReflog)) {
      Files.copy(liveReflog, reflog, StandardCopyOption.REPLACE_EXISTING);
    } else {
      ReflogDatabase.create(reflog, publisher.fqrn());
    }
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.CATALOG, root, now);
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.HISTORY, history, now);
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.CERTIFICATE, cert, now);
    if (head.metainfo() != null) {
      ReflogDatabase.add(reflog, ReflogDatabase.RefType.METAINFO, head.metainfo(), now);
    }
    ContentHash reflogHash = settings.hashAlgorithm().hash(Files.readAllBytes(reflog));
    Manifest next =
        new Manifest(
            root,
            rootSizeBytes,
            settings.ttlSeconds(),
            revision,
            false,
            false,
            publisher.fqrn(),
            cert,
            history,
            now,
            head.metainfo(),
            reflogHash);
    byte[] signed = RepositoryPublisher.signedManifest(next, keys);
    publisher.hook().reached(RepositoryPublisher.Stage.BEFORE_MANIFEST);
    StratumFiles.commit(reflog, liveReflog);
    StratumFiles.replace(publisher.repository().resolve(StratumFiles.MANIFEST), signed);
    log.info(
        "{}: published revision {} at {} (root catalog {}, {} new objects)",
        publisher.fqrn(),
        revision,
        places(),
        root,
        store.createdCount());
    return new PublishResult(revision, root, true, store.createdCount(), store.createdBytes());
  }

  /** Ends the transaction; a later use fails. */
  @Override
  public void close() {
    closed = true;
  }

  /** The applied paths for the log: all of a few, else the first ones and a count. */
  private String places() {
    List<String> shown = applied.stream().limit(4).map(RevisionPublish::display).toList();
    String more = applied.size() > shown.size() ? " and " + (applied.size() - 4) + " more" : "";
    return String.join(", ", shown) + more;
  }

  private static String display(String path) {
    return path.isEmpty() ? "/" : path;
  }
}
