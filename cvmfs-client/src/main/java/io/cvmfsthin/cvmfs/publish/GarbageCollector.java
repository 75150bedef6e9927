package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge: one mark-and-sweep garbage collection of a repository, run by {@link
 * RepositoryPublisher#collectGarbage} under the publish lock.
 *
 * <p>Mark: the retained root catalogs are the current one, its predecessors (root property {@code
 * previous_revision}) as far as the {@link GarbageCollection.Retention} reaches, and every tag of
 * the history database ({@code trunk}, {@code trunk-previous}, named tags). Every catalog below
 * them (nested catalogs read once however many revisions share them), every file object and chunk
 * they name, and the manifest's certificate, history and meta-info objects are referenced.
 *
 * <p>Sweep: every file under {@code data/00…ff/} that is not referenced is deleted (also objects a
 * killed publish left behind); {@code data/txn} is the publisher's and left alone. Only
 * unreferenced objects are ever deleted and the mark is the same on a rerun, so a collection killed
 * halfway leaves every retained revision whole and the next run finishes the job. Last, reflog rows
 * whose object is gone are dropped and the manifest is re-signed with the new reflog hash ({@code
 * Y}), same revision and timestamp, as {@code cvmfs_server gc} removes swept root catalogs from its
 * reflog.
 */
final class GarbageCollector {
  private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);
  private static final long MAX_CATALOG_BYTES = 1L << 32;

  /** Test hook: called before each deletion; may throw (as a crash would stop the sweep). */
  interface SweepHook {
    void deleting(Path object) throws IOException;
  }

  private final Path repository;
  private final String fqrn;
  private final ObjectStore store;
  private final Path work;
  private final Set<String> marked = new HashSet<>(); // object paths, "data/xx/…"
  private final Set<ContentHash> catalogsRead = new HashSet<>();
  private int missing;

  GarbageCollector(Path repository, String fqrn, ObjectStore store, Path work) {
    this.repository = repository;
    this.fqrn = fqrn;
    this.store = store;
    this.work = work;
  }

  /** Marks what {@code head} and the retention keep; the clock reading is {@code nowSeconds}. */
  GarbageCollection.Marked mark(
      Manifest head, GarbageCollection.Retention retention, long nowSeconds) throws IOException {
    Map<ContentHash, Long> roots = new LinkedHashMap<>(); // root → revision, newest first
    List<String> tags = new ArrayList<>();
    ContentHash root = head.rootCatalog();
    long cutoff =
        retention.keepAge() == null ? Long.MAX_VALUE : nowSeconds - retention.keepAge().toSeconds();
    while (root != null && store.exists(root, ObjectType.CATALOG)) { // else collected before
      Path file = inflate(root, ObjectType.CATALOG, "root catalog");
      CatalogReferences refs = CatalogReferences.read(file, root.toString());
      Files.delete(file);
      long revision = Long.parseLong(refs.properties().getOrDefault("revision", "-1").trim());
      long modified = Long.parseLong(refs.properties().getOrDefault("last_modified", "0").trim());
      boolean keep =
          roots.isEmpty()
              || (retention.keepAge() == null
                  ? roots.size() < retention.keepRevisions()
                  : modified >= cutoff);
      if (!keep) {
        break;
      }
      roots.put(root, revision);
      String previous = refs.properties().get("previous_revision");
      root =
          previous == null || previous.isBlank() || previous.equals(CatalogDatabase.NULL_HASH)
              ? null
              : ContentHash.parse(previous.trim());
    }
    if (head.history() != null) {
      Path history = inflate(head.history(), ObjectType.HISTORY, "history database");
      if (history == null) {
        throw new NoSuchFileException(
            store.path(head.history(), ObjectType.HISTORY).toString(),
            null,
            "the current history database is missing; refusing to collect without the tags");
      }
      for (Map.Entry<String, Tag> t : tags(history).entrySet()) {
        tags.add(t.getKey());
        roots.putIfAbsent(t.getValue().root(), t.getValue().revision());
      }
    }
    markObject(head.certificate(), ObjectType.CERTIFICATE);
    markObject(head.history(), ObjectType.HISTORY);
    markObject(head.metainfo(), ObjectType.METAINFO);
    for (ContentHash r : roots.keySet()) {
      markTree(r);
    }
    List<Long> revisions =
        roots.values().stream().distinct().sorted((a, b) -> Long.compare(b, a)).toList();
    log.info(
        "{}: gc marked {} objects in {} catalogs of {} revisions ({} tags)",
        fqrn,
        marked.size(),
        catalogsRead.size(),
        revisions.size(),
        tags.size());
    return new GarbageCollection.Marked(
        revisions, List.copyOf(tags), catalogsRead.size(), marked.size(), missing);
  }

  /** Deletes (or, in a dry run, counts) every unmarked file under {@code data/00…ff}. */
  GarbageCollection.Swept sweep(boolean dryRun, SweepHook hook) throws IOException {
    long scanned = 0;
    long scannedBytes = 0;
    long deleted = 0;
    long deletedBytes = 0;
    Path data = repository.resolve("data");
    for (int i = 0; i < 256; i++) {
      String prefix = String.format("%02x", i);
      Path dir = data.resolve(prefix);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path f : files) {
        long size = Files.size(f);
        scanned++;
        scannedBytes += size;
        if (marked.contains("data/" + prefix + "/" + f.getFileName())) {
          continue;
        }
        deleted++;
        deletedBytes += size;
        if (!dryRun) {
          hook.deleting(f);
          Files.deleteIfExists(f);
          log.debug("{}: gc deleted {}", fqrn, data.relativize(f));
        }
      }
    }
    log.info(
        "{}: gc {} {} of {} objects ({} of {} bytes)",
        fqrn,
        dryRun ? "would delete" : "deleted",
        deleted,
        scanned,
        deletedBytes,
        scannedBytes);
    return new GarbageCollection.Swept(scanned, scannedBytes, deleted, deletedBytes, dryRun);
  }

  /**
   * Copies the live reflog into {@code staged} without the rows whose object no longer exists;
   * returns how many were dropped.
   */
  int pruneReflog(Path live, Path staged) throws IOException {
    Files.copy(live, staged, StandardCopyOption.REPLACE_EXISTING);
    int removed = 0;
    try (Connection c = HistoryDatabase.connect(staged)) {
      List<String> gone = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT hash, type FROM refs")) {
        while (rs.next()) {
          ObjectType type = refType(rs.getInt(2));
          if (type != null && !store.exists(ContentHash.parse(rs.getString(1)), type)) {
            gone.add(rs.getString(1));
          }
        }
      }
      for (String h : gone) {
        HistoryDatabase.update(c, "DELETE FROM refs WHERE hash=?", h);
        removed++;
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new IOException("reflog " + live + ": " + e.getMessage(), e);
    }
    return removed;
  }

  private static ObjectType refType(int id) {
    for (ReflogDatabase.RefType t : ReflogDatabase.RefType.values()) {
      if (t.id == id) {
        return switch (t) {
          case CATALOG -> ObjectType.CATALOG;
          case CERTIFICATE -> ObjectType.CERTIFICATE;
          case HISTORY -> ObjectType.HISTORY;
          case METAINFO -> ObjectType.METAINFO;
        };
      }
    }
    return null; // unknown kind: kept as it is
  }

  private record Tag(ContentHash root, long revision) {}

  private Map<String, Tag> tags(Path history) throws IOException {
    Map<String, Tag> out = new LinkedHashMap<>();
    try (Connection c = HistoryDatabase.connect(history);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, hash, revision FROM tags ORDER BY revision")) {
      while (rs.next()) {
        out.put(rs.getString(1), new Tag(ContentHash.parse(rs.getString(2)), rs.getLong(3)));
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new IOException("history database of " + fqrn + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Marks a catalog tree; catalogs seen before (shared by revisions) are not read again. */
  private void markTree(ContentHash root) throws IOException {
    Deque<ContentHash> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      ContentHash h = todo.pop();
      if (!catalogsRead.add(h)) {
        continue;
      }
      markObject(h, ObjectType.CATALOG);
      Path file = inflate(h, ObjectType.CATALOG, "catalog");
      if (file == null) {
        continue;
      }
      CatalogReferences refs = CatalogReferences.read(file, h.toString());
      Files.delete(file);
      marked.addAll(refs.objectPaths());
      todo.addAll(refs.nested());
    }
  }

  private void markObject(ContentHash h, ObjectType type) {
    if (h != null) {
      marked.add(h.objectPath(type));
    }
  }

  /** Inflates an object into the work directory, hash-checked; null (and a warning) if absent. */
  private Path inflate(ContentHash h, ObjectType type, String what) throws IOException {
    if (!store.exists(h, type)) {
      missing++;
      log.warn("{}: gc: {} {} is missing from data/", fqrn, what, h);
      return null;
    }
    Path file = Files.createTempFile(work, "gc-", ".db");
    store.inflateTo(h, type, file, MAX_CATALOG_BYTES);
    return file;
  }
}
