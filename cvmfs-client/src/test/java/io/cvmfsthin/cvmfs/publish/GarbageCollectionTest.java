package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection: the objects deleted are exactly those no retained revision references
 * (computed independently by walking each revision's catalogs with {@link RepositoryInspector}),
 * every retained revision stays whole and readable by the client, and a concurrent publish, a
 * collection stopped halfway and a dry run all leave a consistent repository.
 */
class GarbageCollectionTest {
  static final String FQRN = "gc.example.org";

  @TempDir Path tmp;
  Path storage;
  Path keys;
  Path repo;
  RepositoryPublisher publisher;
  final List<PublishResult> revisions = new ArrayList<>();
  byte[] big;

  /**
   * Five revisions: r1 has a chunked file, a nested catalog and a file that r2 and r5 change; r3
   * replaces the chunked file, r4 the nested catalog.
   */
  void publishFiveRevisions() throws Exception {
    storage = tmp.resolve("srv");
    keys = tmp.resolve("keys");
    repo = storage.resolve(FQRN);
    publisher = TestRepos.create(storage, keys, FQRN);
    big = new byte[300 * 1024];
    new Random(1).nextBytes(big);
    revisions.add(
        publisher.publish(
            Publication.tar(
                "/",
                new TestRepos.Tar()
                        .file("keep.txt", "same in every revision")
                        .file("a/f.txt", "one")
                        .file("big/big.bin", big)
                        .file("layer/.cvmfscatalog", "")
                        .file("layer/x", "x1")
                        .stream())));
    revisions.add(publisher.publish(tar("/a", "f.txt", "two")));
    byte[] other = new byte[200 * 1024];
    new Random(2).nextBytes(other);
    revisions.add(
        publisher.publish(
            Publication.tar("/big", new TestRepos.Tar().file("other.bin", other).stream())));
    revisions.add(publisher.publish(tar("/layer", "x", "x4").withNestedCatalog(true)));
    revisions.add(publisher.publish(tar("/a", "f.txt", "five")));
  }

  static Publication tar(String at, String name, String content) throws IOException {
    return Publication.tar(at, new TestRepos.Tar().file(name, content).stream());
  }

  @Test
  void keepOneRevision_deletesExactlyWhatOnlyOlderRevisionsReferenced() throws Exception {
    publishFiveRevisions();
    Set<String> before = objectFiles(repo);
    Set<String> kept = expectedKept(List.of(revisions.get(4), revisions.get(3)));
    Set<String> r1Only = RepositoryInspector.walkRevision(repo, root(0)).objectPaths();
    r1Only.removeAll(kept);

    GarbageCollection.Result r = gc(GarbageCollection.Retention.revisions(1), false);

    assertThat(objectFiles(repo)).isEqualTo(kept);
    Set<String> deleted = new TreeSet<>(before);
    deleted.removeAll(kept);
    assertThat(r.swept().deletedObjects()).isEqualTo(deleted.size());
    assertThat(r.swept().scannedObjects()).isEqualTo(before.size());
    assertThat(r.swept().deletedBytes()).isPositive();
    assertThat(deleted)
        .as("r1's chunks of big.bin, its a/f.txt and its root catalog are gone")
        .containsAll(r1Only)
        .contains(root(0).objectPath(ObjectType.CATALOG))
        .contains(root(1).objectPath(ObjectType.CATALOG))
        .contains(root(2).objectPath(ObjectType.CATALOG));
    assertThat(r1Only.stream().filter(p -> p.endsWith("P"))).isNotEmpty();
    assertThat(r.marked().revisions()).containsExactly(5L, 4L);
    assertThat(r.marked().tags()).containsExactlyInAnyOrder("trunk", "trunk-previous");
    assertThat(r.marked().missing()).isZero();

    // the retained revisions are whole: every catalog and object, hash-checked
    assertThat(RepositoryInspector.walkRevision(repo, root(3)).contents()).containsKey("/layer/x");
    RepositoryInspector head = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(new String(head.content("/a/f.txt"), StandardCharsets.UTF_8)).isEqualTo("five");
    // the reflog lists only objects that exist, and the re-signed manifest names it (Y)
    assertThat(r.reflogEntriesRemoved()).isPositive();
    for (List<Object> row :
        RepositoryInspector.query(repo.resolve(".cvmfsreflog"), "SELECT hash, type FROM refs")) {
      ObjectType t =
          List.of(
                  ObjectType.CATALOG,
                  ObjectType.CERTIFICATE,
                  ObjectType.HISTORY,
                  ObjectType.METAINFO)
              .get(((Number) row.get(1)).intValue());
      assertThat(repo.resolve(ContentHash.parse((String) row.get(0)).objectPath(t))).exists();
    }
    assertThat(head.manifest.revision()).isEqualTo(5);
    // the client reads HEAD and the trunk-previous tag
    assertThat(clientRead(null, "/a/f.txt")).isEqualTo("five");
    assertThat(clientRead("trunk-previous", "/layer/x")).isEqualTo("x4");
    assertThat(clientRead("trunk-previous", "/a/f.txt")).isEqualTo("two");

    // a second run finds nothing to do and leaves the manifest alone
    byte[] manifest = Files.readAllBytes(repo.resolve(".cvmfspublished"));
    GarbageCollection.Result again = gc(GarbageCollection.Retention.revisions(1), false);
    assertThat(again.swept().deletedObjects()).isZero();
    assertThat(again.reflogEntriesRemoved()).isZero();
    assertThat(repo.resolve(".cvmfspublished")).hasBinaryContent(manifest);
  }

  @Test
  void namedTag_keepsItsRevision_andTheClientReadsIt() throws Exception {
    publishFiveRevisions();
    tag("release-1", revisions.get(0));
    Set<String> kept = expectedKept(List.of(revisions.get(4), revisions.get(3), revisions.get(0)));

    GarbageCollection.Result r = gc(GarbageCollection.Retention.revisions(1), false);

    assertThat(objectFiles(repo)).isEqualTo(kept);
    assertThat(r.marked().tags()).contains("release-1");
    assertThat(r.marked().revisions()).containsExactly(5L, 4L, 1L);
    assertThat(repo.resolve(root(1).objectPath(ObjectType.CATALOG))).doesNotExist();
    assertThat(RepositoryInspector.walkRevision(repo, root(0)).contents().get("/big/big.bin"))
        .isEqualTo(big);
    assertThat(clientRead("release-1", "/a/f.txt")).isEqualTo("one");
    assertThat(clientRead("release-1", "/layer/x")).isEqualTo("x1");
  }

  @Test
  void keepRevisions_keepsTheNewestN() throws Exception {
    publishFiveRevisions();
    Set<String> kept = expectedKept(List.of(revisions.get(4), revisions.get(3), revisions.get(2)));
    GarbageCollection.Result r = gc(GarbageCollection.Retention.revisions(3), false);
    assertThat(r.marked().revisions()).containsExactly(5L, 4L, 3L);
    assertThat(objectFiles(repo)).isEqualTo(kept);
  }

  @Test
  void keepDays_keepsTheRevisionsPublishedSince() throws Exception {
    storage = tmp.resolve("srv");
    keys = tmp.resolve("keys");
    repo = storage.resolve(FQRN);
    Instant t0 = Instant.now();
    TestRepos.create(storage, keys, FQRN);
    for (int day = 0; day < 4; day++) {
      revisions.add(
          RepositoryPublisher.open(storage, keys, FQRN, at(t0.plus(Duration.ofDays(day))))
              .publish(tar("/a", "f.txt", "day " + day)));
    }
    publisher = RepositoryPublisher.open(storage, keys, FQRN, at(t0.plus(Duration.ofHours(80))));
    GarbageCollection.Result r =
        publisher.collectGarbage(
            GarbageCollection.Retention.age(Duration.ofHours(36)),
            false,
            GarbageCollection.Listener.NONE);
    // day 3 (8 h old) and day 2 (32 h old) are younger than 36 h; trunk-previous is day 2 too
    assertThat(r.marked().revisions()).containsExactly(4L, 3L);
    assertThat(objectFiles(repo))
        .isEqualTo(expectedKept(List.of(revisions.get(3), revisions.get(2))));
  }

  @Test
  void dryRun_deletesNothing_andCountsWhatTheRealRunDeletes() throws Exception {
    publishFiveRevisions();
    Map<String, String> before = TestRepos.snapshot(repo);
    List<String> lines = new ArrayList<>();
    GarbageCollection.Result dry =
        publisher.collectGarbage(
            GarbageCollection.Retention.revisions(1),
            true,
            new GarbageCollection.Listener() {
              @Override
              public void marked(GarbageCollection.Marked m) {
                lines.add("marked " + m.referencedObjects());
              }

              @Override
              public void swept(GarbageCollection.Swept s) {
                lines.add("swept " + s.deletedObjects());
              }
            });
    assertThat(TestRepos.snapshot(repo)).isEqualTo(before);
    assertThat(dry.swept().dryRun()).isTrue();
    assertThat(dry.reflogEntriesRemoved()).isZero();
    assertThat(lines).hasSize(2);

    GarbageCollection.Result real = gc(GarbageCollection.Retention.revisions(1), false);
    assertThat(real.swept().deletedObjects()).isEqualTo(dry.swept().deletedObjects()).isPositive();
    assertThat(real.swept().deletedBytes()).isEqualTo(dry.swept().deletedBytes());
    assertThat(real.swept().scannedObjects()).isEqualTo(dry.swept().scannedObjects());
    assertThat(real.marked()).isEqualTo(dry.marked());
  }

  @Test
  void stoppedHalfway_leavesRetainedRevisionsWhole_andARerunFinishes() throws Exception {
    publishFiveRevisions();
    Set<String> kept = expectedKept(List.of(revisions.get(4), revisions.get(3)));
    AtomicInteger deletions = new AtomicInteger();
    assertThatThrownBy(
            () ->
                publisher.collectGarbage(
                    GarbageCollection.Retention.revisions(1),
                    false,
                    GarbageCollection.Listener.NONE,
                    f -> {
                      if (deletions.incrementAndGet() > 3) {
                        throw new IOException("simulated crash before deleting " + f);
                      }
                    }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("simulated crash");
    Set<String> halfway = objectFiles(repo);
    assertThat(halfway).containsAll(kept).hasSizeGreaterThan(kept.size());
    RepositoryInspector.inspect(storage, keys, FQRN); // signature, Y, every object of HEAD
    RepositoryInspector.walkRevision(repo, root(3)).contents();
    assertThat(clientRead("trunk-previous", "/a/f.txt")).isEqualTo("two");
    assertThat(repo.resolve("data/txn")).isEmptyDirectory();

    GarbageCollection.Result rerun = gc(GarbageCollection.Retention.revisions(1), false);
    assertThat(objectFiles(repo)).isEqualTo(kept);
    assertThat(rerun.swept().deletedObjects()).isEqualTo(halfway.size() - kept.size());
    RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(clientRead(null, "/a/f.txt")).isEqualTo("five");
  }

  @Test
  void concurrentPublish_bothEndConsistent() throws Exception {
    publishFiveRevisions();
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-publisher"));
    AtomicBoolean publishing = new AtomicBoolean(true);
    try {
      Future<List<PublishResult>> published =
          pool.submit(
              () -> {
                List<PublishResult> out = new ArrayList<>();
                try {
                  for (int i = 0; i < 8; i++) {
                    out.add(publisher.publish(tar("/c" + (i % 3), "f", "concurrent " + i)));
                    out.add(publisher.publish(tar("/a", "f.txt", "a" + i)));
                  }
                } finally {
                  publishing.set(false);
                }
                return out;
              });
      int runs = 0;
      while (publishing.get() || runs < 2) {
        gc(GarbageCollection.Retention.revisions(1), false);
        runs++;
        // between runs, HEAD is always whole
        RepositoryInspector.inspect(storage, keys, FQRN).contents();
      }
      List<PublishResult> out = published.get();
      assertThat(out).hasSize(16).allMatch(PublishResult::changed);
      assertThat(out.get(15).revision()).isEqualTo(5 + 16);
    } finally {
      pool.shutdownNow();
    }
    RepositoryInspector head = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(new String(head.content("/a/f.txt"), StandardCharsets.UTF_8)).isEqualTo("a7");
    assertThat(new String(head.content("/c1/f"), StandardCharsets.UTF_8)).isEqualTo("concurrent 7");
    assertThat(clientRead(null, "/c0/f")).isEqualTo("concurrent 6");
    assertThat(clientRead("trunk-previous", "/a/f.txt")).isEqualTo("a6");
    Manifest m = publisher.manifest();
    GarbageCollection.Result last = gc(GarbageCollection.Retention.revisions(1), false);
    assertThat(last.marked().revisions()).containsExactly(m.revision(), m.revision() - 1);
  }

  @Test
  void keysOfAnotherCertificate_areRefusedBeforeAnythingIsDeleted() throws Exception {
    publishFiveRevisions();
    Path otherKeys = tmp.resolve("other-keys");
    RepositoryKeys.generate(FQRN, Clock.systemUTC()).write(otherKeys, FQRN);
    Map<String, String> before = TestRepos.snapshot(repo);
    RepositoryPublisher other = RepositoryPublisher.open(storage, otherKeys, FQRN);
    assertThatThrownBy(
            () ->
                other.collectGarbage(
                    GarbageCollection.Retention.revisions(1),
                    false,
                    GarbageCollection.Listener.NONE))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not the one revision 5 of " + FQRN + " is signed with");
    assertThat(TestRepos.snapshot(repo)).isEqualTo(before);
    // a dry run only reads, and reads with any keys
    assertThat(
            other
                .collectGarbage(
                    GarbageCollection.Retention.revisions(1), true, GarbageCollection.Listener.NONE)
                .swept()
                .deletedObjects())
        .isPositive();
  }

  @Test
  void badRetention_andUnknownRepository_areRefused() throws Exception {
    assertThatThrownBy(() -> GarbageCollection.Retention.revisions(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> GarbageCollection.Retention.age(Duration.ofDays(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> RepositoryPublisher.open(tmp, tmp, "nothing.example.org"))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no repository nothing.example.org");
  }

  // --- helpers ---

  GarbageCollection.Result gc(GarbageCollection.Retention retention, boolean dryRun)
      throws IOException {
    return publisher.collectGarbage(retention, dryRun, GarbageCollection.Listener.NONE);
  }

  ContentHash root(int index) {
    return revisions.get(index).rootCatalog();
  }

  /** What the given revisions occupy, walked independently, plus HEAD's X, H and M objects. */
  Set<String> expectedKept(List<PublishResult> retained) throws Exception {
    Set<String> kept = new TreeSet<>();
    for (PublishResult r : retained) {
      kept.addAll(RepositoryInspector.walkRevision(repo, r.rootCatalog()).objectPaths());
    }
    Manifest m = RepositoryPublisher.readManifest(repo);
    kept.add(m.certificate().objectPath(ObjectType.CERTIFICATE));
    kept.add(m.history().objectPath(ObjectType.HISTORY));
    if (m.metainfo() != null) {
      kept.add(m.metainfo().objectPath(ObjectType.METAINFO));
    }
    return kept;
  }

  static Set<String> objectFiles(Path repo) throws IOException {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      s.filter(Files::isRegularFile)
          .map(p -> repo.relativize(p).toString())
          .filter(p -> !p.startsWith("data/txn/"))
          .forEach(out::add);
    }
    return out;
  }

  static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  /** Adds a named tag for {@code rev} to the history database, as {@code cvmfs_server tag}. */
  void tag(String name, PublishResult rev) throws Exception {
    Manifest m = RepositoryPublisher.readManifest(repo);
    Path db = Files.createTempFile(tmp, "history-", ".db");
    try (ObjectStore store = new ObjectStore(repo, m.rootCatalog().algorithm())) {
      store.inflateTo(m.history(), ObjectType.HISTORY, db, Long.MAX_VALUE);
      try (Connection c = HistoryDatabase.connect(db)) {
        HistoryDatabase.update(
            c,
            "INSERT INTO tags (name, hash, revision, timestamp, channel, description, size,"
                + " branch) VALUES (?, ?, ?, ?, 0, 'a release', 0, '')",
            name,
            rev.rootCatalog().toString(),
            rev.revision(),
            m.publishedEpochSeconds());
      }
      ContentHash h = store.put(db, ObjectType.HISTORY, Compression.ZLIB);
      Manifest next =
          new Manifest(
              m.rootCatalog(),
              m.rootCatalogSizeBytes(),
              m.ttlSeconds(),
              m.revision(),
              m.garbageCollectable(),
              m.alternativePaths(),
              m.fqrn(),
              m.certificate(),
              h,
              m.publishedEpochSeconds(),
              m.metainfo(),
              m.reflog());
      StratumFiles.replace(
          repo.resolve(StratumFiles.MANIFEST),
          RepositoryPublisher.signedManifest(next, RepositoryKeys.load(keys, FQRN, false)));
    }
  }

  /** A file's content as the client reads it from the storage directory (file://). */
  String clientRead(String tag, String path) throws IOException {
    Path cache = Files.createTempDirectory(tmp, "cache-");
    ClientSettings.Builder b =
        ClientSettings.builder(FQRN)
            .serverUrls(storage.toAbsolutePath().toUri() + "@fqrn@")
            .masterKeys(keys.resolve(FQRN + ".pub"))
            .cacheDir(cache);
    if (tag != null) {
      b.tag(tag);
    }
    try (RepositoryClient client = RepositoryClient.open(b.build());
        InputStream in = client.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
