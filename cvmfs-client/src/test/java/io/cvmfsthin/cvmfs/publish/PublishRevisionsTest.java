package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Successive revisions: subtree replacement, nested catalog reuse, add-if-absent, settings. */
class PublishRevisionsTest {

  @Test
  void subtreeReplacement_reusesUntouchedNestedCatalogs(@TempDir Path dir) throws Exception {
    Path storage = dir.resolve("srv");
    Path keys = dir.resolve("keys");
    String fqrn = "revisions.example.org";
    RepositoryPublisher p = TestRepos.create(storage, keys, fqrn);
    p.publish(
        Publication.tar("/.layers/ab/abc/layerfs", new TestRepos.Tar().file("etc/a", "1").stream())
            .withNestedCatalog(true));
    p.publish(
        Publication.tar("/.layers/cd/cde/layerfs", new TestRepos.Tar().file("etc/b", "2").stream())
            .withNestedCatalog(true));
    RepositoryInspector before = RepositoryInspector.inspect(storage, keys, fqrn);
    p.publish(Publication.tar("/other", new TestRepos.Tar().file("c", "3").stream()));
    RepositoryInspector after = RepositoryInspector.inspect(storage, keys, fqrn);
    assertThat(after.manifest.revision()).isEqualTo(3);
    assertThat(after.catalogs.get("/.layers/ab/abc/layerfs"))
        .isEqualTo(before.catalogs.get("/.layers/ab/abc/layerfs"));
    assertThat(after.catalogs.get("/.layers/ab/abc/layerfs")).containsEntry("revision", "1");
    assertThat(after.catalogs.get(""))
        .containsEntry("previous_revision", before.manifest.rootCatalog().toString());
    assertThat(after.entries.get("/.layers/ab/abc/layerfs/.cvmfscatalog").mode())
        .isEqualTo(0100664);

    // replacing a subtree drops what was there, nested catalogs included
    p.publish(Publication.tar("/.layers/ab", new TestRepos.Tar().file("new", "4").stream()));
    RepositoryInspector replaced = RepositoryInspector.inspect(storage, keys, fqrn);
    assertThat(replaced.catalogs).doesNotContainKey("/.layers/ab/abc/layerfs");
    assertThat(replaced.entries)
        .doesNotContainKey("/.layers/ab/abc")
        .containsKey("/.layers/ab/new");
    assertThat(replaced.entries).containsKey("/.layers/cd/cde/layerfs/etc/b");
  }

  @Test
  void addIfAbsent_publishesOnce(@TempDir Path dir) throws Exception {
    Path storage = dir.resolve("srv");
    Path keys = dir.resolve("keys");
    String fqrn = "once.example.org";
    RepositoryPublisher p = TestRepos.create(storage, keys, fqrn);
    Publication pub =
        Publication.tar("/layer", new TestRepos.Tar().file("a", "1").stream())
            .withMode(Publication.Mode.ADD_IF_ABSENT)
            .withNestedCatalog(true);
    assertThat(p.publish(pub).changed()).isTrue();
    Map<String, String> snapshot = TestRepos.snapshot(storage);
    PublishResult again =
        p.publish(
            Publication.tar("/layer", new TestRepos.Tar().file("a", "2").stream())
                .withMode(Publication.Mode.ADD_IF_ABSENT));
    assertThat(again.changed()).isFalse();
    assertThat(again.revision()).isEqualTo(1);
    assertThat(TestRepos.snapshot(storage)).isEqualTo(snapshot);
  }

  @Test
  void shake128AndNoCompression_areRecordedPerEntry(@TempDir Path dir) throws Exception {
    Path storage = dir.resolve("srv");
    Path keys = dir.resolve("keys");
    String fqrn = "shake.example.org";
    RepositoryPublisher p =
        TestRepos.create(
            storage,
            keys,
            fqrn,
            RepositorySettings.DEFAULT
                .withHashAlgorithm(HashAlgorithm.SHAKE128)
                .withCompression(Compression.NONE)
                .withChunking(TestRepos.SMALL_CHUNKS));
    byte[] big = PublishRoundTripIT.random(700_000, 2);
    p.publish(
        Publication.tar(
            "/",
            new TestRepos.Tar()
                    .file("README.txt", "hello")
                    .file("big", big)
                    .symlink("link", "README.txt")
                    .file("sub/.cvmfscatalog", "")
                    .file("sub/file.txt", "f")
                    .stream()));
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, fqrn);
    assertThat(r.manifest.rootCatalog().toString()).endsWith("-shake128");
    assertThat(r.entries.get("/README.txt").flags()).isEqualTo(2564);
    assertThat(r.entries.get("/big").flags()).isEqualTo(2628);
    assertThat(r.entries.get("/link").flags()).isEqualTo(12);
    assertThat(r.content("/big")).isEqualTo(big);
    assertThat(r.content("/README.txt")).asString().isEqualTo("hello");
    // plain objects: the stored bytes are the file's bytes
    Path object =
        storage
            .resolve(fqrn)
            .resolve(
                io.cvmfsthin.cvmfs.object.ContentHash.of(
                        HashAlgorithm.SHAKE128, r.entries.get("/README.txt").hash())
                    .objectPath(io.cvmfsthin.cvmfs.object.ObjectType.FILE));
    assertThat(Files.readString(object)).isEqualTo("hello");
  }

  @Test
  void directorySource_keepsLinksModesAndHardlinks(@TempDir Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("a.txt"), "a");
    Files.createDirectories(src.resolve("d/e"));
    Files.writeString(src.resolve("d/f"), "f");
    Files.createLink(src.resolve("d/g"), src.resolve("d/f"));
    Files.createSymbolicLink(src.resolve("link"), Path.of("d/f"));
    Files.setPosixFilePermissions(
        src.resolve("a.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
    Path storage = dir.resolve("srv");
    Path keys = dir.resolve("keys");
    String fqrn = "dir.example.org";
    RepositoryPublisher p = TestRepos.create(storage, keys, fqrn);
    p.publish(Publication.directory("/opt/tree", src));
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, fqrn);
    assertThat(r.entries.get("/opt/tree/a.txt").mode()).isEqualTo(0100750);
    assertThat(r.entries.get("/opt/tree/link").symlink()).isEqualTo("d/f");
    assertThat(r.entries.get("/opt/tree/d/f").hardlinks())
        .isEqualTo(r.entries.get("/opt/tree/d/g").hardlinks());
    assertThat(r.entries.get("/opt/tree/d/f").linkCount()).isEqualTo(2);
    assertThat(r.entries.get("/opt/tree/d").linkCount()).isEqualTo(3);
    assertThat(r.content("/opt/tree/d/g")).asString().isEqualTo("f");
    assertThat(r.entries.get("/opt").mode()).isEqualTo(040755);
  }

  @Test
  void everythingServed_isWorldReadable(@TempDir Path dir) throws Exception {
    Path storage = dir.resolve("srv");
    Path keys = dir.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, "perms.example.org");
    p.publish(
        Publication.tar(
            "/", new TestRepos.Tar().file("a", "1").file("big", new byte[300_000]).stream()));
    try (var walk = Files.walk(storage.resolve("perms.example.org"))) {
      walk.filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().equals(PublishLock.FILE_NAME))
          .forEach(
              f -> {
                try {
                  assertThat(
                          java.nio.file.attribute.PosixFilePermissions.toString(
                              Files.getPosixFilePermissions(f)))
                      .as(f.toString())
                      .isEqualTo("rw-r--r--");
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
    }
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keys.resolve("perms.example.org.masterkey"))))
        .isEqualTo("rw-------");
  }

  @Test
  void contentWrittenOnAPool_isTheSameAsSequential(@TempDir Path dir) throws Exception {
    TestRepos.Tar tar = new TestRepos.Tar().file("big", PublishRoundTripIT.random(2_000_000, 4));
    for (int i = 0; i < 500; i++) {
      tar.file("d" + (i % 7) + "/f" + i, PublishRoundTripIT.random(i * 37, i));
    }
    tar.hardlink("d0/link", "d0/f0").file("n/.cvmfscatalog", "").file("n/x", "x");
    byte[] bytes = tar.bytes();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      Map<String, List<Object>> seq = publishAndList(dir.resolve("a"), bytes, null);
      Map<String, List<Object>> par = publishAndList(dir.resolve("b"), bytes, pool);
      assertThat(par).hasSize(seq.size() + 0).isEqualTo(seq);
      assertThat(seq).containsKeys("/big", "/d6/f496", "/n/x");
    } finally {
      pool.shutdownNow();
    }
  }

  private static Map<String, List<Object>> publishAndList(
      Path dir, byte[] tar, java.util.concurrent.Executor executor) throws Exception {
    RepositoryPublisher p =
        TestRepos.create(dir.resolve("srv"), dir.resolve("keys"), "pool.example.org");
    if (executor != null) {
      p = p.withExecutor(executor);
    }
    p.publish(Publication.tar("/", new java.io.ByteArrayInputStream(tar)));
    RepositoryInspector r =
        RepositoryInspector.inspect(dir.resolve("srv"), dir.resolve("keys"), "pool.example.org");
    Map<String, List<Object>> out = new java.util.TreeMap<>();
    for (RepositoryInspector.Entry e : r.entries.values()) {
      if ((e.flags() & 1) == 0) {
        out.put(
            e.path(),
            List.of(
                java.util.HexFormat.of().formatHex(e.hash() == null ? new byte[0] : e.hash()),
                e.size(),
                e.flags(),
                e.hardlinks(),
                e.chunkHashes().stream().map(h -> java.util.HexFormat.of().formatHex(h)).toList()));
      }
    }
    return out;
  }
}
