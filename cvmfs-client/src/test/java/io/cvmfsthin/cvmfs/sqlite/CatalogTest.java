package io.cvmfsthin.cvmfs.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.SharedFixtures;
import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stock tools' catalogs, inflated into a temporary directory and read directly. */
class CatalogTest {
  static final Path REPO = SharedFixtures.realRepo().resolve("cvmfs/fixture.example.org");
  static final ContentHash ROOT = ContentHash.parse("b63841d8c17c3c03995c08352d8500ad66357651");

  @TempDir Path tmp;

  Path inflate(ContentHash h, ObjectType type) throws Exception {
    Path out = tmp.resolve(h + type.suffix());
    Files.write(out, Zlib.inflate(Files.readAllBytes(REPO.resolve(h.objectPath(type))), 1 << 28));
    return out;
  }

  @Test
  void rootCatalog_properties_entries_andNestedCatalogs() throws Exception {
    try (Catalog c = Catalog.open(inflate(ROOT, ObjectType.CATALOG), "", "root")) {
      assertThat(c.schemaRevision()).isEqualTo(7);
      assertThat(c.revision()).isEqualTo(5);
      assertThat(c.ttlSeconds()).isEqualTo(240);
      assertThat(c.previousRevision()).hasToString("6a64403e94fd783616050d88e9dcd6398b3f1d13");
      assertThat(c.nestedCatalogs())
          .extracting(NestedCatalogRef::mountpoint)
          .containsExactlyInAnyOrder("/.layers", "/many", "/nested");

      DirectoryEntry root = c.lookup("").orElseThrow();
      assertThat(root.isDirectory()).isTrue();
      assertThat(root.mtimeSeconds()).isEqualTo(1795752360L);

      DirectoryEntry readme = c.lookup("/README.txt").orElseThrow();
      assertThat(readme.sizeBytes()).isEqualTo(69);
      assertThat(new String(readme.xattrs().get("user.readme"), StandardCharsets.UTF_8))
          .isEqualTo("readme-attr");

      DirectoryEntry link = c.lookup("/links/rel-link").orElseThrow();
      assertThat(link.kind()).isEqualTo(EntryKind.SYMLINK);
      assertThat(link.symlink()).isEqualTo("../README.txt");

      DirectoryEntry dev = c.lookup("/special/char-1-3").orElseThrow();
      assertThat(dev.sizeBytes()).isZero();
      assertThat(dev.rdev()).isEqualTo(259);

      assertThat(c.lookup("/nested").orElseThrow().isNestedMountpoint()).isTrue();
      assertThat(c.list("/nested")).isEmpty(); // its content lives in the child catalog
      assertThat(c.lookup("/nested/file.txt")).isEmpty();
      assertThat(c.list("/data"))
          .extracting(DirectoryEntry::name)
          .containsExactly("random-300KiB.bin", "random-64KiB.bin", "random-hex-1.5MiB.txt");
      assertThat(c.chunks("/data/random-300KiB.bin", HashAlgorithm.SHA1, 307200))
          .extracting(ch -> ch.sizeBytes())
          .containsExactly(100406L, 98425L, 108369L);
      assertThatThrownBy(() -> c.chunks("/data/random-300KiB.bin", HashAlgorithm.SHA1, 1))
          .isInstanceOf(CatalogFormatException.class)
          .hasMessageContaining("cover 307200 bytes, the file has 1");
    }
  }

  @Test
  void nestedCatalog_mountedElsewhere_isRefused() throws Exception {
    try (Catalog root = Catalog.open(inflate(ROOT, ObjectType.CATALOG), "", "root")) {
      NestedCatalogRef nested =
          root.nestedCatalogs().stream()
              .filter(r -> r.mountpoint().equals("/nested"))
              .findFirst()
              .orElseThrow();
      Path file = inflate(nested.hash(), ObjectType.CATALOG);
      try (Catalog child = Catalog.open(file, "/nested", "nested")) {
        DirectoryEntry top = child.lookup("/nested").orElseThrow();
        assertThat(top.isNestedRoot()).isTrue();
        assertThat(top.path()).isEqualTo("/nested");
        assertThat(child.list("/nested")).extracting(DirectoryEntry::name).contains("file.txt");
      }
      assertThatThrownBy(() -> Catalog.open(file, "/elsewhere", "nested catalog X"))
          .isInstanceOf(CatalogFormatException.class)
          .hasMessageContaining("nested catalog X: root_prefix is '/nested'");
    }
  }

  @Test
  void notACatalog_isRefusedNamingIt() throws Exception {
    Path junk = tmp.resolve("junk");
    Files.writeString(junk, "this is not sqlite");
    assertThatThrownBy(() -> Catalog.open(junk, "", "catalog 1234C"))
        .isInstanceOf(CatalogFormatException.class)
        .hasMessageContaining("catalog 1234C: not a readable catalog");
  }

  @Test
  void history_listsTags() throws Exception {
    ContentHash h = ContentHash.parse(manifestLine('H'));
    HistoryDatabase history = HistoryDatabase.read(inflate(h, ObjectType.HISTORY), "history");
    assertThat(history.tags())
        .extracting(Tag::name)
        .contains("rev1", "rev2", "rev3", "trunk", "trunk-previous");
    assertThat(history.find("rev1").orElseThrow().rootCatalog())
        .hasToString("c4d6e41b47eb8c9226233ae2296ad19ec84591c5");
  }

  static String manifestLine(char key) throws Exception {
    for (String line :
        new String(Files.readAllBytes(REPO.resolve(".cvmfspublished")), StandardCharsets.ISO_8859_1)
            .split("\n")) {
      if (line.equals("--")) {
        break;
      }
      if (!line.isEmpty() && line.charAt(0) == key) {
        return line.substring(1);
      }
    }
    throw new AssertionError("no " + key);
  }

  @Test
  void concurrentQueries_onOneCatalog_giveTheSerialAnswers() throws Exception {
    try (Catalog c = Catalog.open(inflate(ROOT, ObjectType.CATALOG), "", "root")) {
      // entries carry byte[] xattrs (identity equality): compare what a listing shows
      java.util.List<String> expected = c.list("").stream().map(e -> e.path() + e.mode()).toList();
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
          results.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 200; i++) {
                      if (!c.list("").stream()
                              .map(e -> e.path() + e.mode())
                              .toList()
                              .equals(expected)
                          || c.lookup("/README.txt").orElseThrow().sizeBytes() != 69
                          || c.lookup("/no-such-name").isPresent()) {
                        return false;
                      }
                    }
                    return true;
                  }));
        }
        for (java.util.concurrent.Future<Boolean> r : results) {
          assertThat(r.get()).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void queryAfterClose_isRefused() throws Exception {
    Catalog c = Catalog.open(inflate(ROOT, ObjectType.CATALOG), "", "root");
    c.close();
    assertThatThrownBy(() -> c.lookup("/README.txt"))
        .isInstanceOf(CatalogFormatException.class)
        .hasMessageContaining("root: lookup of '/README.txt'")
        .hasMessageContaining("closed");
  }
}
