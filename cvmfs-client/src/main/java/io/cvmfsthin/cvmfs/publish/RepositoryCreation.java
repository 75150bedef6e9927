package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Edge: fills a new repository directory as {@code cvmfs_server mkfs} does (spec §11.2): data
 * skeleton, settings file, certificate and meta-info objects, the revision-0 root catalog (root
 * entry only), a history database tagging it {@code trunk}, the reflog, the whitelist, the signed
 * manifest and {@code .cvmfs_master_replica}.
 */
final class RepositoryCreation {
  static final String METAINFO_SKELETON =
      "{\n"
          + "  \"administrator\" : \"Your Name\",\n"
          + "  \"email\"         : \"you@organisation.org\",\n"
          + "  \"organisation\"  : \"Your Organisation\",\n"
          + "  \"description\"   : \"Repository content\",\n"
          + "  \"url\"           : \"Project website\",\n"
          + "  \"recommended-stratum0\":  \"stratum 0 url\",\n"
          + "  \"recommended-stratum1s\" : [ \"stratum1 url\", \"stratum1 url\" ],\n"
          + "\n"
          + "  \"custom\" : {\n"
          + "    \"_comment\" : \"Put arbitrary structured data here\"\n"
          + "  }\n"
          + "}\n";

  private RepositoryCreation() {}

  static void populate(
      Path repo,
      String fqrn,
      RepositorySettings settings,
      RepositoryKeys keys,
      int whitelistDays,
      Clock clock)
      throws IOException {
    StratumFiles.createSkeleton(repo);
    Files.write(repo.resolve(RepositorySettings.FILE_NAME), settings.toFileBytes());
    try (ObjectStore store = new ObjectStore(repo, settings.hashAlgorithm())) {
      populate(repo, fqrn, settings, keys, whitelistDays, clock, store);
    }
  }

  private static void populate(
      Path repo,
      String fqrn,
      RepositorySettings settings,
      RepositoryKeys keys,
      int whitelistDays,
      Clock clock,
      ObjectStore store)
      throws IOException {
    long now = clock.instant().getEpochSecond();
    ContentHash cert = RepositoryPublisher.storeCertificate(store, keys.certificate());
    ContentHash meta =
        store.put(
            METAINFO_SKELETON.getBytes(StandardCharsets.UTF_8),
            ObjectType.METAINFO,
            Compression.ZLIB);
    Path work = Files.createDirectory(repo.resolve("data/txn/create"));

    Path rootFile = work.resolve("root.db");
    CatalogDatabase db = CatalogDatabase.create(rootFile);
    try {
      db.setProperty("revision", "0");
      db.setProperty("last_modified", Long.toString(now));
      db.insert(
          new CatalogDatabase.Row(
              Md5Path.of(""),
              Md5Path.NONE,
              2,
              null,
              SourceNode.DIRECTORY_SIZE,
              040755,
              now,
              null,
              EntryFlags.DIR,
              "",
              "",
              0,
              0,
              null));
      db.writeCounters(new CatalogCounters(db.countSelf(), new long[CatalogCounters.N]));
      db.finish();
    } finally {
      db.close();
    }
    long rootSize = Files.size(rootFile);
    ContentHash root = store.put(rootFile, ObjectType.CATALOG, Compression.ZLIB);

    Path historyFile = work.resolve("history.db");
    HistoryDatabase.create(historyFile, fqrn);
    HistoryDatabase.tagTrunk(historyFile, null, root, 0, now, rootSize);
    ContentHash history = store.put(historyFile, ObjectType.HISTORY, Compression.ZLIB);

    Path reflog = repo.resolve(StratumFiles.REFLOG);
    ReflogDatabase.create(reflog, fqrn);
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.CATALOG, root, now);
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.HISTORY, history, now);
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.CERTIFICATE, cert, now);
    ReflogDatabase.add(reflog, ReflogDatabase.RefType.METAINFO, meta, now);
    ContentHash reflogHash = settings.hashAlgorithm().hash(Files.readAllBytes(reflog));

    StratumFiles.deleteRecursively(work);
    store.syncCreated();
    Files.write(
        repo.resolve(StratumFiles.WHITELIST),
        RepositoryPublisher.signedWhitelist(
            fqrn, keys, settings.hashAlgorithm(), whitelistDays, clock));
    Manifest m =
        new Manifest(
            root,
            rootSize,
            settings.ttlSeconds(),
            0,
            false,
            false,
            fqrn,
            cert,
            history,
            now,
            meta,
            reflogHash);
    Files.write(repo.resolve(StratumFiles.MANIFEST), RepositoryPublisher.signedManifest(m, keys));
    Files.write(repo.resolve(StratumFiles.MASTER_REPLICA), StratumFiles.MASTER_REPLICA_TEXT);
    for (String f :
        new String[] {
          StratumFiles.REFLOG,
          StratumFiles.WHITELIST,
          StratumFiles.MANIFEST,
          StratumFiles.MASTER_REPLICA,
          RepositorySettings.FILE_NAME
        }) {
      Files.setPosixFilePermissions(
          repo.resolve(f), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      ObjectStore.force(repo.resolve(f));
    }
    ObjectStore.force(repo);
  }
}
