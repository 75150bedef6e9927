package io.cvmfsthin.cvmfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.TestRepos;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publisher → reader round trip over HTTP: a repository written by {@link RepositoryPublisher} is
 * served as a static stratum and read back by {@link RepositoryClient} (trust chain, catalogs,
 * nested catalogs, chunks), corner cases and metadata bit for bit; a new revision is picked up.
 */
class PublishedRepositoryIT {
  static final String FQRN = "roundtrip.example.org";
  static final String UTF8_NAME = "grüße ✓ 日本.txt";
  static final String LONG_NAME = "n".repeat(251) + ".txt";

  @Test
  void publishedCorners_readBackThroughTheClient(@TempDir Path tmp) throws Exception {
    Path storage = tmp.resolve("cvmfs");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher publisher = TestRepos.create(storage, keys, FQRN);
    byte[] big = new byte[10 * 1024 * 1024 + 777];
    new Random(7).nextBytes(big);
    TestRepos.Tar tar =
        new TestRepos.Tar()
            .file("empty.txt", new byte[0])
            .dir("empty-dir", 0755)
            .file("big.bin", big)
            .file(UTF8_NAME, "utf8")
            .file(LONG_NAME, "long")
            .symlink("links/abs", "/usr/bin/env")
            .symlink("links/rel", "../empty.txt")
            .symlink("links/dangling", "nowhere")
            .file("hl/a", "hard")
            .hardlink("hl/b", "hl/a")
            .hardlink("other/c", "hl/a")
            .special("dev/fifo", TarConstants.LF_FIFO, 0644, 0, 0)
            .special("dev/null", TarConstants.LF_CHR, 0666, 1, 3)
            .special("dev/loop", TarConstants.LF_BLK, 0660, 7, 200)
            .file("xattr.txt", "x".getBytes(), 0644, 0, 0, Map.of("user.foo", "bar"))
            .file("setuid", "#!".getBytes(), 04755, 0, 0, Map.of())
            .file("owned", "o".getBytes(), 0640, 1000, 1001, Map.of())
            .file("layer/.cvmfscatalog", "")
            .file("layer/inside.txt", "nested");
    for (int i = 0; i < 10_000; i++) {
      tar.file(String.format("many/f%05d", i), "tiny " + i);
    }
    publisher.publish(Publication.tar("/", tar.stream()));

    try (TestStratum srv = TestStratum.serve(tmp);
        RepositoryClient client =
            RepositoryClient.open(
                ClientSettings.builder(FQRN)
                    .serverUrls(srv.url(FQRN))
                    .masterKeys(keys.resolve(FQRN + ".pub"))
                    .cacheDir(tmp.resolve("cache"))
                    .build())) {
      assertThat(client.revision()).isEqualTo(1);
      assertThat(read(client, "/empty.txt")).isEmpty();
      assertThat(read(client, "/big.bin")).isEqualTo(big);
      assertThat(client.chunks("/big.bin")).hasSizeGreaterThan(10);
      assertThat(new String(read(client, "/" + UTF8_NAME), StandardCharsets.UTF_8))
          .isEqualTo("utf8");
      assertThat(new String(read(client, "/" + LONG_NAME), StandardCharsets.UTF_8))
          .isEqualTo("long");
      assertThat(client.lookup("/empty-dir").isDirectory()).isTrue();
      assertThat(client.list("/empty-dir")).isEmpty();
      assertThat(client.lookup("/links/abs").symlink()).isEqualTo("/usr/bin/env");
      assertThat(client.lookup("/links/rel").symlink()).isEqualTo("../empty.txt");
      assertThat(client.lookup("/links/dangling").symlink()).isEqualTo("nowhere");
      DirectoryEntry a = client.lookup("/hl/a");
      DirectoryEntry b = client.lookup("/hl/b");
      assertThat(a.hardlinkGroup()).isPositive().isEqualTo(b.hardlinkGroup());
      assertThat(a.linkCount()).isEqualTo(2);
      assertThat(client.lookup("/other/c").hardlinkGroup()).isZero();
      assertThat(new String(read(client, "/other/c"), StandardCharsets.UTF_8)).isEqualTo("hard");
      assertThat(client.lookup("/dev/fifo").kind()).isEqualTo(EntryKind.FIFO);
      DirectoryEntry nul = client.lookup("/dev/null");
      assertThat(nul.kind()).isEqualTo(EntryKind.CHAR_DEVICE);
      assertThat(nul.rdev()).isEqualTo(DeviceNumbers.makedev(1, 3));
      assertThat(client.lookup("/dev/loop").rdev()).isEqualTo(DeviceNumbers.makedev(7, 200));
      assertThat(client.lookup("/xattr.txt").xattrs()).containsOnlyKeys("user.foo");
      assertThat(
              new String(
                  client.lookup("/xattr.txt").xattrs().get("user.foo"), StandardCharsets.UTF_8))
          .isEqualTo("bar");
      assertThat(client.lookup("/setuid").permissions()).isEqualTo(04755);
      DirectoryEntry owned = client.lookup("/owned");
      assertThat(owned.uid()).isEqualTo(1000);
      assertThat(owned.gid()).isEqualTo(1001);
      assertThat(owned.permissions()).isEqualTo(0640);
      assertThat(owned.mtimeSeconds()).isEqualTo(1704067200L);
      assertThat(client.list("/many")).hasSize(10_000);
      assertThat(new String(read(client, "/many/f04711"), StandardCharsets.UTF_8))
          .isEqualTo("tiny 4711");
      assertThat(client.lookup("/layer").isDirectory()).isTrue();
      assertThat(new String(read(client, "/layer/inside.txt"), StandardCharsets.UTF_8))
          .isEqualTo("nested");
      List<String> layer = client.list("/layer").stream().map(DirectoryEntry::name).toList();
      assertThat(layer).containsExactlyInAnyOrder(".cvmfscatalog", "inside.txt");

      // a new revision, at a nested path, is picked up by the same client
      publisher.publish(
          Publication.tar("/layer/v2", new TestRepos.Tar().file("new.txt", "v2").stream())
              .withNestedCatalog(true));
      assertThat(client.refreshNow()).isTrue();
      assertThat(client.revision()).isEqualTo(2);
      assertThat(new String(read(client, "/layer/v2/new.txt"), StandardCharsets.UTF_8))
          .isEqualTo("v2");
      assertThat(read(client, "/big.bin")).isEqualTo(big);
    }
  }

  static byte[] read(RepositoryClient client, String path) throws Exception {
    try (InputStream in = client.open(path)) {
      return in.readAllBytes();
    }
  }
}
