package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge: one publish, in crash-safe order (spec §11.4): content objects; catalogs (children before
 * parents); history and certificate objects; sync of every new object; the reflog; last the signed
 * manifest. Runs under the publish lock, in a work directory below {@code data/txn/}.
 */
final class RevisionPublish {
  private static final Logger log = LoggerFactory.getLogger(RevisionPublish.class);

  private final RepositoryPublisher publisher;
  private final ObjectStore store;
  private final Path work;
  private final Manifest head;
  private final RepositoryKeys keys;
  private final long now;

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
  }

  PublishResult run(Publication publication) throws IOException {
    RepositorySettings settings = publisher.settings();
    ContentWriter contents = new ContentWriter(store, settings.compression(), settings.chunking());
    String path = publication.path();
    long revision = head.revision() + 1;
    CatalogTreeWriter.Built root;
    try (CatalogTreeWriter catalogs =
        new CatalogTreeWriter(store, contents, work, settings, now, revision)) {
      catalogs.openChain(head.rootCatalog(), path);
      if (publication.mode() == Publication.Mode.ADD_IF_ABSENT && catalogs.exists(path)) {
        log.info("{}: {} exists already, nothing published", publisher.fqrn(), display(path));
        return new PublishResult(head.revision(), head.rootCatalog(), false, 0);
      }
      SourceNode tree;
      try (ContentTasks tasks = new ContentTasks(publisher.executor(), 64 << 20)) {
        if (publication.source() instanceof Publication.TarStream t) {
          tree = new TarSource(contents, tasks, now).read(t.in());
        } else {
          Path dir = ((Publication.Directory) publication.source()).dir();
          tree = new DirectorySource(contents, tasks).read(dir);
        }
        tasks.awaitAll();
      }
      publisher.hook().reached(RepositoryPublisher.Stage.CONTENT_WRITTEN);
      root =
          path.isEmpty()
              ? catalogs.replaceRoot(tree)
              : catalogs.replace(path, tree, publication.nestedCatalog());
    }
    publisher.hook().reached(RepositoryPublisher.Stage.CATALOGS_WRITTEN);

    ContentHash cert = RepositoryPublisher.storeCertificate(store, keys.certificate());
    Path historyFile = work.resolve("history.db");
    if (head.history() != null) {
      store.inflateTo(head.history(), ObjectType.HISTORY, historyFile, Long.MAX_VALUE);
    } else {
      HistoryDatabase.create(historyFile, publisher.fqrn());
    }
    HistoryDatabase.tagTrunk(
        historyFile, head.history(), root.hash(), revision, now, root.sizeBytes());
    ContentHash history = store.put(historyFile, ObjectType.HISTORY, Compression.ZLIB);
    store.syncCreated();

    Path reflog = work.resolve("reflog.db");
    Path liveReflog = publisher.repository().resolve(StratumFiles.REFLOG);
    if (Files.exists(liveReflog)) {
      Files.copy(liveReflog, reflog, StandardCopyOption.REPLACE_EXISTING);
    } else {
      ReflogDatabase.create(reflog, publisher.fqrn());
    }
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.CATALOG, root.hash(), now);
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.HISTORY, history, now);
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.CERTIFICATE, cert, now);
    if (head.metainfo() != null) {
      ReflogDatabase.add(reflog, ReflogDatabase.RefType.METAINFO, head.metainfo(), now);
    }
    ContentHash reflogHash = settings.hashAlgorithm().hash(Files.readAllBytes(reflog));
    Manifest next =
        new Manifest(
            root.hash(),
            root.sizeBytes(),
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
        display(path),
        root.hash(),
        store.createdCount());
    return new PublishResult(revision, root.hash(), true, store.createdCount());
  }

  private static String display(String path) {
    return path.isEmpty() ? "/" : path;
  }
}
