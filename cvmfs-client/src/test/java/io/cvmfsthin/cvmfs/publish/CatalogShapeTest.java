package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.SharedFixtures;
import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.manifest.SignedDocument;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalogs, history, reflog and manifest we write have the shape of what the stock CernVM-FS
 * 2.12 tools wrote into the shared fixture: same tables, columns and DDL, same properties in the
 * same order, the 24 counters, flags, hardlinks packing, root entries and transition points.
 */
class CatalogShapeTest {
  static final Path FIXTURE = SharedFixtures.realRepo().resolve("cvmfs/fixture.example.org");
  static final String FQRN = "shape.example.org";

  @TempDir static Path tmp;
  static Path storage;
  static Path keys;
  static RepositoryInspector ours;
  static RepositoryInspector.Entry ourRoot;
  static Path fixtureRoot;
  static Path fixtureNested;
  static Path ourRootDb;
  static Path ourNestedDb;
  static Path ourRevision0Db;

  @BeforeAll
  static void publish() throws Exception {
    storage = tmp.resolve("srv");
    keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    ourRevision0Db = inflate(storage.resolve(FQRN), p.manifest().rootCatalog());
    p.publish(
        Publication.tar(
            "/",
            new TestRepos.Tar()
                    .file(
                        "README.txt",
                        "hello".getBytes(),
                        0644,
                        0,
                        0,
                        Map.of("user.readme", "readme-attr"))
                    .file("data/big.bin", PublishRoundTripIT.random(400_000, 3))
                    .symlink("links/rel-link", "../README.txt")
                    .special("special/fifo", TarConstants.LF_FIFO, 0644, 0, 0)
                    .special("special/char-1-3", TarConstants.LF_CHR, 0644, 1, 3)
                    .file("hardlinks/g1-a", "g1")
                    .hardlink("hardlinks/g1-b", "hardlinks/g1-a")
                    .hardlink("hardlinks/g1-c", "hardlinks/g1-a")
                    .file(
                        "xattr-file.txt",
                        "x".getBytes(),
                        0644,
                        0,
                        0,
                        Map.of("user.fixture", "hello"))
                    .file("nested/.cvmfscatalog", "")
                    .file("nested/file.txt", "n")
                    .stream()));
    ours = RepositoryInspector.inspect(storage, keys, FQRN);
    ourRootDb = ours.catalogFile(ours.manifest.rootCatalog());
    ourNestedDb = nestedDb(ourRootDb, "/nested", storage.resolve(FQRN));
    Manifest fixture = manifestOf(FIXTURE);
    fixtureRoot = inflate(FIXTURE, fixture.rootCatalog());
    fixtureNested = nestedDb(fixtureRoot, "/nested", FIXTURE);
  }

  @Test
  void schema_isTheStockDdl() throws Exception {
    assertThat(ddl(ourRootDb)).isEqualTo(ddl(fixtureRoot));
    assertThat(ddl(ourNestedDb)).isEqualTo(ddl(fixtureRoot));
    for (String table :
        List.of(
            "properties",
            "catalog",
            "chunks",
            "nested_catalogs",
            "bind_mountpoints",
            "statistics")) {
      String sql = "PRAGMA table_info(" + table + ")";
      assertThat(RepositoryInspector.query(ourRootDb, sql))
          .isEqualTo(RepositoryInspector.query(fixtureRoot, sql));
    }
    assertThat(RepositoryInspector.query(ourRootDb, "PRAGMA journal_mode"))
        .isEqualTo(RepositoryInspector.query(fixtureRoot, "PRAGMA journal_mode"));
  }

  @Test
  void properties_haveTheStockKeysInTheStockOrder() throws Exception {
    String keysSql = "SELECT key FROM properties ORDER BY rowid";
    assertThat(RepositoryInspector.query(ourRootDb, keysSql))
        .isEqualTo(RepositoryInspector.query(fixtureRoot, keysSql));
    assertThat(RepositoryInspector.query(ourNestedDb, keysSql))
        .isEqualTo(RepositoryInspector.query(fixtureNested, keysSql));
    Path fixtureRev0 =
        inflate(FIXTURE, ContentHash.parse("712adc762123bc6de0181cf81e3defc74fbe5116"));
    assertThat(
            RepositoryInspector.query(ourRevision0Db, "SELECT key FROM properties ORDER BY rowid"))
        .isEqualTo(RepositoryInspector.query(fixtureRev0, keysSql));
    // a new nested catalog: revision 1, previous revision the null hash, as the stock tools write
    String valuesSql =
        "SELECT key, value FROM properties WHERE key IN ('schema','schema_revision','revision',"
            + " 'previous_revision') ORDER BY key";
    assertThat(RepositoryInspector.query(ourNestedDb, valuesSql))
        .isEqualTo(RepositoryInspector.query(fixtureNested, valuesSql));
  }

  @Test
  void revision0_rootEntry_isTheStockOne() throws Exception {
    Path fixtureRev0 =
        inflate(FIXTURE, ContentHash.parse("712adc762123bc6de0181cf81e3defc74fbe5116"));
    String sql =
        "SELECT md5path_1, md5path_2, parent_1, parent_2, hardlinks, hash, size, mode, mtimens,"
            + " flags, name, symlink, uid, gid, xattr FROM catalog";
    assertThat(RepositoryInspector.query(ourRevision0Db, sql))
        .isEqualTo(RepositoryInspector.query(fixtureRev0, sql));
    String stats = "SELECT counter, value FROM statistics ORDER BY rowid";
    assertThat(RepositoryInspector.query(ourRevision0Db, stats))
        .isEqualTo(RepositoryInspector.query(fixtureRev0, stats));
  }

  @Test
  void statistics_haveTheStock24CounterNames() throws Exception {
    String sql = "SELECT counter FROM statistics ORDER BY rowid";
    assertThat(RepositoryInspector.query(ourRootDb, sql))
        .hasSize(24)
        .isEqualTo(RepositoryInspector.query(fixtureRoot, sql));
  }

  @Test
  void flags_andHardlinks_matchTheStockRowsOfTheSameKind() throws Exception {
    for (String name :
        List.of("README.txt", "rel-link", "fifo", "char-1-3", "g1-a", "g1-c", "data")) {
      assertThat(rows(ourRootDb, name)).as(name).isEqualTo(rows(fixtureRoot, name));
    }
    assertThat(rows(ourRootDb, "big.bin").get(0).get(0))
        .isEqualTo(rows(fixtureRoot, "random-300KiB.bin").get(0).get(0));
    // transition point: flags 3 in the parent, 33 in the child (link counts depend on content)
    assertThat(rows(ourRootDb, "nested").get(0).get(0)).isEqualTo(3);
    assertThat(rows(fixtureRoot, "nested").get(0).get(0)).isEqualTo(3);
    assertThat(rows(ourNestedDb, "nested").get(0).get(0)).isEqualTo(33);
    assertThat(rows(fixtureNested, "nested").get(0).get(0)).isEqualTo(33);
    assertThat(rows(ourNestedDb, ".cvmfscatalog")).isEqualTo(rows(fixtureNested, ".cvmfscatalog"));
  }

  @Test
  void nestedCatalogRows_nameTheChildByHashAndUncompressedSize() throws Exception {
    List<List<Object>> ourRow =
        RepositoryInspector.query(ourRootDb, "SELECT path, sha1, size FROM nested_catalogs");
    assertThat(ourRow).hasSize(1);
    assertThat(ourRow.get(0).get(0)).isEqualTo("/nested");
    assertThat(((Number) ourRow.get(0).get(2)).longValue()).isEqualTo(Files.size(ourNestedDb));
  }

  @Test
  void selfCounters_countTheFixtureCatalogsAsTheStockToolsDid() throws Exception {
    List<Path> catalogs = new ArrayList<>();
    try (Stream<Path> s = Files.walk(FIXTURE.resolve("data"))) {
      s.filter(p -> p.toString().endsWith("C")).forEach(catalogs::add);
    }
    assertThat(catalogs).hasSizeGreaterThan(10);
    for (Path c : catalogs) {
      Path db = Files.createTempFile(tmp, "fx-", ".db");
      Files.write(db, io.cvmfsthin.cvmfs.object.Zlib.inflate(Files.readAllBytes(c), 1 << 28));
      try (CatalogDatabase cat = CatalogDatabase.open(db, c.toString())) {
        assertThat(cat.countSelf()).as(c.toString()).isEqualTo(cat.counters().self());
      }
    }
  }

  @Test
  void history_andReflog_haveTheStockShape() throws Exception {
    Manifest fixture = manifestOf(FIXTURE);
    Path fixtureHistory = inflate(FIXTURE, fixture.history(), ObjectType.HISTORY);
    Path ourHistory = inflate(storage.resolve(FQRN), ours.manifest.history(), ObjectType.HISTORY);
    assertThat(ddl(ourHistory)).isEqualTo(ddl(fixtureHistory));
    String props = "SELECT key FROM properties ORDER BY rowid";
    assertThat(RepositoryInspector.query(ourHistory, props))
        .isEqualTo(RepositoryInspector.query(fixtureHistory, props));
    String tags =
        "SELECT name, revision, channel, description, branch FROM tags WHERE name LIKE 'trunk%'"
            + " ORDER BY name";
    assertThat(RepositoryInspector.query(ourHistory, tags))
        .containsExactly(
            List.of("trunk", 1, 0, "current HEAD", ""),
            List.of("trunk-previous", 0, 0, "default undo target", ""));
    assertThat(RepositoryInspector.query(ourHistory, "SELECT * FROM branches"))
        .isEqualTo(RepositoryInspector.query(fixtureHistory, "SELECT * FROM branches"));
    Path ourReflog = storage.resolve(FQRN).resolve(".cvmfsreflog");
    Path fixtureReflog = FIXTURE.resolve(".cvmfsreflog");
    assertThat(ddl(ourReflog)).isEqualTo(ddl(fixtureReflog));
    assertThat(RepositoryInspector.query(ourReflog, "SELECT key FROM properties ORDER BY rowid"))
        .isEqualTo(
            RepositoryInspector.query(fixtureReflog, "SELECT key FROM properties ORDER BY rowid"));
    assertThat(
            RepositoryInspector.query(ourReflog, "SELECT type, COUNT(*) FROM refs GROUP BY type"))
        .containsExactly(List.of(0, 2), List.of(1, 1), List.of(2, 2), List.of(3, 1));
  }

  @Test
  void manifest_hasTheStockLinesInTheStockOrder() throws Exception {
    assertThat(letters(storage.resolve(FQRN)))
        .isEqualTo(letters(FIXTURE))
        .isEqualTo("CBRDSGANXHTMY");
    assertThat(Files.readAllBytes(storage.resolve(FQRN).resolve(".cvmfs_master_replica")))
        .isEqualTo(Files.readAllBytes(FIXTURE.resolve(".cvmfs_master_replica")));
  }

  private static List<List<Object>> rows(Path db, String name) throws Exception {
    return RepositoryInspector.query(
        db,
        "SELECT flags, hardlinks, typeof(hash), mode, typeof(mtimens), typeof(xattr) FROM catalog"
            + " WHERE name='"
            + name.replace("'", "''")
            + "'");
  }

  private static List<List<Object>> ddl(Path db) throws Exception {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> r :
        RepositoryInspector.query(
            db, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid")) {
      List<Object> row = new ArrayList<>(r);
      if (row.get(3) != null) {
        row.set(
            3, ((String) row.get(3)).replaceAll("\\s+", " ").replace("( ", "(").replace(" )", ")"));
      }
      out.add(row);
    }
    return out;
  }

  private static String letters(Path repo) throws Exception {
    byte[] body =
        SignedDocument.parse("m", Files.readAllBytes(repo.resolve(".cvmfspublished"))).body();
    StringBuilder sb = new StringBuilder();
    for (String line : new String(body, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
      sb.append(line.charAt(0));
    }
    return sb.toString();
  }

  static Manifest manifestOf(Path repo) throws Exception {
    return RepositoryPublisher.readManifest(repo);
  }

  static Path inflate(Path repo, ContentHash h) throws Exception {
    return inflate(repo, h, ObjectType.CATALOG);
  }

  static Path inflate(Path repo, ContentHash h, ObjectType t) throws Exception {
    Path db = Files.createTempFile(tmp, "db-", ".db");
    Files.write(db, RepositoryInspector.objectInflated(repo, h, t));
    return db;
  }

  static Path nestedDb(Path parent, String path, Path repo) throws Exception {
    String sha1 =
        (String)
            RepositoryInspector.query(
                    parent, "SELECT sha1 FROM nested_catalogs WHERE path='" + path + "'")
                .get(0)
                .get(0);
    return inflate(repo, ContentHash.parse(sha1));
  }
}
