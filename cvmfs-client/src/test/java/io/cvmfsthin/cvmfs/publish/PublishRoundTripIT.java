package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.EntryFlags;
import io.cvmfsthin.cvmfs.catalog.XattrBlob;
import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Publisher → reader round trip of the corner cases, read back by {@link RepositoryInspector}
 * (trust chain, every catalog invariant and counter, every object hash-checked).
 */
class PublishRoundTripIT {
  static final String FQRN = "corners.example.org";
  static final String UTF8_NAME = "name with spaces – grüße ✓ 日本.txt";
  static final String LONG_NAME = "l".repeat(251) + ".txt"; // 255 bytes
  static final byte[] BIG = random(10 * 1024 * 1024 + 12345, 1);

  @TempDir static Path tmp;
  static RepositoryInspector repo;
  static Map<String, byte[]> many = new HashMap<>();

  @BeforeAll
  static void publishCorners() throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    TestRepos.Tar tar =
        new TestRepos.Tar()
            .dir("./", 0755)
            .file("./empty.txt", new byte[0])
            .dir("empty-dir", 0700)
            .file("big.bin", BIG)
            .file(UTF8_NAME, "utf8")
            .file(LONG_NAME, "long")
            .symlink("links/abs", "/usr/bin/env")
            .symlink("links/rel", "../empty.txt")
            .symlink("links/dangling", "does-not-exist")
            .file("hl/a", "hard".getBytes(StandardCharsets.UTF_8))
            .hardlink("hl/b", "hl/a")
            .hardlink("hl2/c", "hl/a")
            .special("special/fifo", TarConstants.LF_FIFO, 0644, 0, 0)
            .special("special/char-1-3", TarConstants.LF_CHR, 0620, 1, 3)
            .special("special/block-7-200", TarConstants.LF_BLK, 0660, 7, 200)
            .file(
                "xattr.txt",
                "x".getBytes(),
                0644,
                0,
                0,
                Map.of("user.foo", "bar", "user.second", "0123456789"))
            .file("bin/setuid", "#!/bin/sh\n".getBytes(), 04755, 0, 0, Map.of())
            .file("owned.txt", "mine".getBytes(), 0600, 1000, 1001, Map.of());
    for (int i = 0; i < 10_000; i++) {
      String name = String.format("many/f%05d", i);
      byte[] content = ("tiny " + (i % 97)).getBytes(StandardCharsets.UTF_8);
      many.put("/" + name, content);
      tar.file(name, content);
    }
    PublishResult r = p.publish(Publication.tar("/", tar.stream()));
    assertThat(r.revision()).isEqualTo(1);
    repo = RepositoryInspector.inspect(storage, keys, FQRN);
  }

  @Test
  void regularFiles_haveTheirContentBitForBit() throws Exception {
    assertThat(repo.content("/empty.txt")).isEmpty();
    assertThat(repo.content("/big.bin")).isEqualTo(BIG);
    assertThat(repo.content("/" + UTF8_NAME)).asString().isEqualTo("utf8");
    assertThat(repo.content("/" + LONG_NAME)).asString().isEqualTo("long");
    assertThat(repo.content("/hl/b")).asString().isEqualTo("hard");
    assertThat(repo.content("/hl2/c")).asString().isEqualTo("hard");
  }

  @Test
  void emptyFile_isTheWellKnownEmptyObject() {
    assertThat(repo.entries.get("/empty.txt").hash())
        .asHexString()
        .isEqualToIgnoringCase("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78");
  }

  @Test
  void bigFile_isChunked() {
    RepositoryInspector.Entry e = repo.entries.get("/big.bin");
    assertThat(e.flags()).isEqualTo(EntryFlags.FILE | EntryFlags.CHUNKED);
    assertThat(e.size()).isEqualTo(BIG.length);
    assertThat(e.chunkRows()).hasSizeGreaterThan(40);
    assertThat(e.chunkRows()).allSatisfy(c -> assertThat(c[1]).isLessThanOrEqualTo(256 * 1024));
  }

  @Test
  void tenThousandFiles_inOneDirectory() throws Exception {
    long n = repo.entries.keySet().stream().filter(k -> k.startsWith("/many/")).count();
    assertThat(n).isEqualTo(10_000);
    for (String path : new String[] {"/many/f00000", "/many/f04711", "/many/f09999"}) {
      assertThat(repo.content(path)).isEqualTo(many.get(path));
    }
  }

  @Test
  void emptyDirectory_keepsItsMode() {
    RepositoryInspector.Entry e = repo.entries.get("/empty-dir");
    assertThat(e.mode()).isEqualTo(040700);
    assertThat(e.linkCount()).isEqualTo(2);
    assertThat(e.flags()).isEqualTo(EntryFlags.DIR);
  }

  @Test
  void symlinks_keepTheirTargets() {
    assertThat(repo.entries.get("/links/abs").symlink()).isEqualTo("/usr/bin/env");
    assertThat(repo.entries.get("/links/rel").symlink()).isEqualTo("../empty.txt");
    assertThat(repo.entries.get("/links/dangling").symlink()).isEqualTo("does-not-exist");
    RepositoryInspector.Entry e = repo.entries.get("/links/abs");
    assertThat(e.flags()).isEqualTo(12);
    assertThat(e.mode()).isEqualTo(0120777);
    assertThat(e.size()).isEqualTo("/usr/bin/env".length());
  }

  @Test
  void hardlinks_groupWithinADirectory_andSplitAcrossDirectories() {
    RepositoryInspector.Entry a = repo.entries.get("/hl/a");
    RepositoryInspector.Entry b = repo.entries.get("/hl/b");
    RepositoryInspector.Entry c = repo.entries.get("/hl2/c");
    assertThat(a.group()).isPositive();
    assertThat(a.hardlinks()).isEqualTo(b.hardlinks());
    assertThat(a.linkCount()).isEqualTo(2);
    assertThat(c.hardlinks()).isEqualTo(1);
    assertThat(c.hash()).isEqualTo(a.hash());
  }

  @ParameterizedTest
  @CsvSource({
    "/special/fifo, 010644, 0",
    "/special/char-1-3, 020620, 259",
    "/special/block-7-200, 060660, 1992"
  })
  void specialFiles_keepTypeModeAndDevice(String path, String mode, long size) {
    RepositoryInspector.Entry e = repo.entries.get(path);
    assertThat(e.mode()).isEqualTo(Integer.parseInt(mode, 8));
    assertThat(e.flags()).isEqualTo(EntryFlags.FILE | EntryFlags.SPECIAL);
    assertThat(e.size()).isEqualTo(size);
    assertThat(e.hash()).isNull();
  }

  @Test
  void devices_useGlibcMakedev() {
    assertThat(repo.entries.get("/special/block-7-200").size())
        .isEqualTo(DeviceNumbers.makedev(7, 200));
  }

  @Test
  void xattrs_setuidAndOwners_areKept() {
    SortedMap<String, byte[]> x = XattrBlob.decode(repo.entries.get("/xattr.txt").xattr());
    assertThat(x).containsOnlyKeys("user.foo", "user.second");
    assertThat(x.get("user.foo")).asString().isEqualTo("bar");
    assertThat(x.get("user.second")).asString().isEqualTo("0123456789");
    assertThat(repo.entries.get("/bin/setuid").mode()).isEqualTo(0104755);
    RepositoryInspector.Entry owned = repo.entries.get("/owned.txt");
    assertThat(owned.uid()).isEqualTo(1000);
    assertThat(owned.gid()).isEqualTo(1001);
    assertThat(owned.mode()).isEqualTo(0100600);
    assertThat(owned.mtime()).isEqualTo(1704067200L);
  }

  @Test
  void rootEntry_keepsItsCreateMetadata() {
    RepositoryInspector.Entry root = repo.entries.get("");
    assertThat(root.mode()).isEqualTo(040755);
    assertThat(root.size()).isEqualTo(4096);
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
