package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several publications in one transaction: one revision, signed once; each publication sees the
 * ones before; catalogs come out as if touched once, with no intermediate catalog left behind.
 */
class PublishTransactionTest {
  static final String FQRN = "txn.example.org";

  @TempDir Path tmp;
  Path storage;
  Path keys;
  RepositoryPublisher publisher;

  @BeforeEach
  void repository() throws Exception {
    storage = tmp.resolve("srv");
    keys = tmp.resolve("keys");
    publisher = TestRepos.create(storage, keys, FQRN);
    publisher.publish(
        Publication.tar("/n", new TestRepos.Tar().file("old", "o").stream())
            .withNestedCatalog(true));
  }

  static Publication tar(String path, String file, String content) throws IOException {
    return Publication.tar(path, new TestRepos.Tar().file(file, content).stream());
  }

  @Test
  void fourPublications_makeOneRevision_withEachCatalogTouchedOnce() throws Exception {
    RepositoryInspector before = RepositoryInspector.inspect(storage, keys, FQRN);
    Set<Path> catalogsBefore = catalogObjects();

    PublishResult r =
        publisher.transaction(
            t -> {
              assertThat(t.baseRevision()).isEqualTo(1);
              assertThat(t.apply(tar("/n/a", "f", "a"))).isTrue();
              assertThat(t.apply(tar("/n/b", "f", "b"))).isTrue();
              assertThat(t.apply(tar("/m", "x", "x").withNestedCatalog(true))).isTrue();
              assertThat(t.apply(tar("/m/y", "f", "y"))).isTrue();
            });

    assertThat(r.changed()).isTrue();
    assertThat(r.revision()).isEqualTo(2);
    RepositoryInspector after = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(after.manifest.revision()).isEqualTo(2);
    assertThat(after.content("/n/old")).asString().isEqualTo("o");
    assertThat(after.content("/n/a/f")).asString().isEqualTo("a");
    assertThat(after.content("/n/b/f")).asString().isEqualTo("b");
    assertThat(after.content("/m/x")).asString().isEqualTo("x");
    assertThat(after.content("/m/y/f")).asString().isEqualTo("y");
    // the root and /n existed: one step up, pointing at the previous revision's catalogs
    assertThat(after.catalogs.get(""))
        .containsEntry("revision", "2")
        .containsEntry("previous_revision", before.catalogHashes.get("").toString());
    assertThat(after.catalogs.get("/n"))
        .containsEntry("revision", "2")
        .containsEntry("previous_revision", before.catalogHashes.get("/n").toString());
    // /m is new, though edited twice
    assertThat(after.catalogs.get("/m"))
        .containsEntry("revision", "1")
        .containsEntry("previous_revision", CatalogDatabase.NULL_HASH);
    // the only new catalog objects are the final tree's: no intermediate ones
    Set<Path> added = new HashSet<>(catalogObjects());
    added.removeAll(catalogsBefore);
    assertThat(added)
        .containsExactlyInAnyOrder(
            catalogObject(after.catalogHashes.get("")),
            catalogObject(after.catalogHashes.get("/n")),
            catalogObject(after.catalogHashes.get("/m")));
  }

  @Test
  void aTransaction_buildsTheSameTreeAsSeparatePublishes() throws Exception {
    Path otherStorage = tmp.resolve("other");
    RepositoryPublisher separate = TestRepos.create(otherStorage, keys, FQRN);
    separate.publish(
        Publication.tar("/n", new TestRepos.Tar().file("old", "o").stream())
            .withNestedCatalog(true));
    List<ThrowingSupplier> pubs =
        List.of(
            () ->
                Publication.tar(
                        "/.layers",
                        new TestRepos.Tar()
                                .file("ab/.cvmfscatalog", "")
                                .file("ab/abc/layerfs/etc/a", "1")
                                .file("ab/abc/layerfs/.cvmfscatalog", "")
                                .file("ab/abc/.metadata/m", "m1")
                                .stream())
                    .withNestedCatalog(true),
            () ->
                Publication.tar(
                        "/.layers/cd",
                        new TestRepos.Tar()
                                .file("cde/layerfs/etc/b", "2")
                                .file("cde/layerfs/big", PublishRoundTripIT.random(300_000, 3))
                                .file("cde/layerfs/.cvmfscatalog", "")
                                .file("cde/.metadata/m", "m2")
                                .stream())
                    .withNestedCatalog(true),
            () ->
                Publication.tar(
                    "/.layers/ab/abd",
                    new TestRepos.Tar()
                        .file("layerfs/.cvmfscatalog", "").file("layerfs/c", "3").stream()),
            () -> tar("/.layers/ab/abc/.metadata", "m", "m1 and more"),
            () -> tar("/n", "replaced", "r"),
            () -> tar("/.metadata/reg/app:1", "manifest.json", "{}"));
    publisher.transaction(
        t -> {
          for (ThrowingSupplier s : pubs) {
            t.apply(s.get());
          }
        });
    for (ThrowingSupplier s : pubs) {
      separate.publish(s.get());
    }

    RepositoryInspector one = RepositoryInspector.inspect(storage, keys, FQRN);
    RepositoryInspector many = RepositoryInspector.inspect(otherStorage, keys, FQRN);
    assertThat(one.manifest.revision()).isEqualTo(2);
    assertThat(many.manifest.revision()).isEqualTo(7);
    assertThat(shape(one)).isEqualTo(shape(many));
    assertThat(one.statistics).isEqualTo(many.statistics);
    assertThat(one.catalogs.keySet()).isEqualTo(many.catalogs.keySet());
    assertThat(one.content("/.layers/cd/cde/layerfs/big"))
        .isEqualTo(PublishRoundTripIT.random(300_000, 3));
    assertThat(one.content("/.layers/ab/abc/.metadata/m")).asString().isEqualTo("m1 and more");
    assertThat(one.entries).doesNotContainKey("/n/old");
  }

  @Test
  void laterPublications_seeEarlierOnes() throws Exception {
    publisher.transaction(
        t -> {
          assertThat(t.exists("/d")).isFalse();
          assertThat(t.read("/d/f")).isEmpty();
          t.apply(tar("/d", "f", "first"));
          assertThat(t.exists("/d")).isTrue();
          assertThat(t.exists("/d/f")).isTrue();
          assertThat(t.read("/d/f"))
              .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("first")));
          assertThat(t.read("/d")).as("a directory is no file").isEmpty();
          assertThat(t.read("/n/old")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("o")));
          // add-if-absent sees the path the transaction made
          assertThat(t.apply(tar("/d", "f", "second").withMode(Publication.Mode.ADD_IF_ABSENT)))
              .isFalse();
          t.apply(tar("/d", "f", "third"));
          assertThat(t.read("/d/f"))
              .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("third")));
        });
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.manifest.revision()).isEqualTo(2);
    assertThat(r.content("/d/f")).asString().isEqualTo("third");
  }

  @Test
  void aTransactionThatAppliesNothing_makesNoRevision() throws Exception {
    Map<String, String> before = TestRepos.snapshot(storage);

    PublishResult empty = publisher.transaction(t -> {});
    PublishResult present =
        publisher.transaction(
            t ->
                assertThat(
                        t.apply(tar("/n", "f", "other").withMode(Publication.Mode.ADD_IF_ABSENT)))
                    .isFalse());

    assertThat(empty.changed()).isFalse();
    assertThat(present.changed()).isFalse();
    assertThat(present.revision()).isEqualTo(1);
    assertThat(TestRepos.snapshot(storage)).isEqualTo(before);
  }

  @Test
  void theTransaction_cannotBeUsedAfterItsBody() throws Exception {
    AtomicReference<RepositoryPublisher.Transaction> escaped = new AtomicReference<>();
    publisher.transaction(escaped::set);

    assertThatThrownBy(() -> escaped.get().apply(tar("/late", "f", "x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("transaction is over");
    assertThatThrownBy(() -> escaped.get().exists("/n")).isInstanceOf(IllegalStateException.class);
  }

  interface ThrowingSupplier {
    Publication get() throws IOException;
  }

  /** Each entry's kind, mode, size, content and link count: all but the times. */
  static Map<String, String> shape(RepositoryInspector r) {
    Map<String, String> out = new TreeMap<>();
    r.entries.forEach(
        (path, e) ->
            out.put(
                path,
                e.flags()
                    + " "
                    + Integer.toOctalString(e.mode())
                    + " "
                    + e.size()
                    + " "
                    + (e.hash() == null
                        ? "-"
                        : ContentHash.of(r.manifest.rootCatalog().algorithm(), e.hash()).toString())
                    + " "
                    + e.linkCount()
                    + " "
                    + e.symlink()));
    return out;
  }

  private Set<Path> catalogObjects() throws IOException {
    Set<Path> out = new HashSet<>();
    Path data = storage.resolve(FQRN).resolve("data");
    try (Stream<Path> s = Files.walk(data)) {
      List<Path> files = new ArrayList<>();
      s.filter(Files::isRegularFile).forEach(files::add);
      for (Path f : files) {
        if (f.getFileName().toString().endsWith("C") && !f.toString().contains("/txn/")) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private Path catalogObject(ContentHash h) {
    return storage.resolve(FQRN).resolve(h.objectPath(ObjectType.CATALOG));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
