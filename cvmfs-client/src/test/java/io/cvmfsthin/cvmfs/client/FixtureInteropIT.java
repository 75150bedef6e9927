package io.cvmfsthin.cvmfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import io.cvmfsthin.cvmfs.sqlite.Tag;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interop: both repositories the stock 2.12 tools wrote, served on loopback, read at HEAD and at
 * every tag, must equal what the stock client shows ({@code expected/*.tsv}), column by column.
 */
class FixtureInteropIT {
  private static final List<String> XATTRS =
      List.of("user.readme", "user.fixture", "user.second", "user.dirattr");
  private static TestStratum stratum;

  @BeforeAll
  static void serve() throws Exception {
    stratum = TestStratum.serve(Fixtures.ROOT);
  }

  @AfterAll
  static void stop() {
    stratum.close();
  }

  @ParameterizedTest(name = "{0} tag {1}")
  @CsvSource({
    "fixture.example.org, rev1, fixture.example.org-rev1.tsv, 3",
    "fixture.example.org, rev2, fixture.example.org-rev2.tsv, 4",
    "fixture.example.org, rev3, fixture.example.org-rev3.tsv, 5",
    "fixture.example.org, '', fixture.example.org-rev3.tsv, 5",
    "fixture-shake.example.org, rev1, fixture-shake.example.org-rev1.tsv, 2",
    "fixture-shake.example.org, '', fixture-shake.example.org-rev1.tsv, 2",
  })
  void everyEntry_equalsWhatTheStockClientShows(
      String fqrn, String tag, String expectedFile, long revision, @TempDir Path cache)
      throws Exception {
    Map<String, String[]> expected = readExpected(expectedFile);
    try (RepositoryClient client =
        RepositoryClient.open(
            Fixtures.settings(fqrn, stratum.url("@fqrn@"), cache).tag(tag).build())) {
      assertThat(client.revision()).isEqualTo(revision);

      Map<String, DirectoryEntry> walked = walk(client);
      assertThat(walked.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());

      Map<String, Set<String>> expectedGroups = new HashMap<>();
      Map<String, Set<String>> actualGroups = new HashMap<>();
      for (Map.Entry<String, String[]> row : expected.entrySet()) {
        String path = row.getKey();
        String[] col = row.getValue();
        DirectoryEntry e = client.lookup("/" + path);
        assertThat(describe(e)).isEqualTo(describe(walked.get(path).withFlags(e.flags())));
        String[] comparable = col.clone();
        comparable[5] = "GROUP";
        assertThat(actual(client, e)).as(path).containsExactly(comparable);
        if (!col[5].equals("-")) {
          expectedGroups.computeIfAbsent(col[5], k -> new TreeSet<>()).add(path);
        }
        if (e.hardlinkGroup() != 0) {
          String key = parent(path) + "#" + e.hardlinkGroup();
          actualGroups.computeIfAbsent(key, k -> new TreeSet<>()).add(path);
        }
      }
      assertThat(partition(actualGroups)).isEqualTo(partition(expectedGroups));
    }
  }

  @Test
  void tags_listTheHistory(@TempDir Path cache) throws Exception {
    try (RepositoryClient client =
        RepositoryClient.open(
            Fixtures.settings(Fixtures.FQRN, stratum.url("@fqrn@"), cache).build())) {
      Map<String, Long> tags =
          client.tags().stream().collect(Collectors.toMap(Tag::name, Tag::revision));
      assertThat(tags)
          .containsEntry("rev1", 3L)
          .containsEntry("rev2", 4L)
          .containsEntry("rev3", 5L)
          .containsEntry("trunk", 5L)
          .containsEntry("trunk-previous", 4L);
      assertThat(client.tag()).isNull();
      assertThat(client.manifest().revision()).isEqualTo(5);
    }
  }

  @Test
  void chunkedFile_listsItsChunksAndAssemblesThem(@TempDir Path cache) throws Exception {
    try (RepositoryClient client =
        RepositoryClient.open(
            Fixtures.settings(Fixtures.FQRN, stratum.url("@fqrn@"), cache).build())) {
      assertThat(client.chunks("/nested/deeper/zeros-600KiB.bin"))
          .extracting(c -> c.sizeBytes())
          .containsExactly(262144L, 262144L, 90112L);
      try (InputStream in = client.open("/nested/deeper/zeros-600KiB.bin")) {
        byte[] all = in.readAllBytes();
        assertThat(all).hasSize(614400).containsOnly(0);
      }
      assertThat(client.chunks("/README.txt")).isEmpty();
    }
  }

  @ParameterizedTest
  @CsvSource({
    "fixture.example.org, /data/random-hex-1.5MiB.txt",
    "fixture.example.org, /README.txt",
    "fixture-shake.example.org, /data/random-600KiB.bin",
  })
  void channel_readsAnyRangeAsTheStreamDoes(String fqrn, String path, @TempDir Path cache)
      throws Exception {
    try (RepositoryClient client =
        RepositoryClient.open(Fixtures.settings(fqrn, stratum.url("@fqrn@"), cache).build())) {
      byte[] whole;
      try (InputStream in = client.open(path)) {
        whole = in.readAllBytes();
      }
      java.util.Random random = new java.util.Random(7);
      try (java.nio.channels.SeekableByteChannel ch = client.openChannel(path)) {
        assertThat(ch.size()).isEqualTo(whole.length);
        for (int i = 0; i < 50; i++) {
          int from = random.nextInt(whole.length);
          int len = Math.min(1 + random.nextInt(300_000), whole.length - from);
          java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(len);
          ch.position(from);
          while (buf.hasRemaining() && ch.read(buf) > 0) {
            // a read stops at a chunk boundary; keep going
          }
          assertThat(buf.array()).isEqualTo(java.util.Arrays.copyOfRange(whole, from, from + len));
        }
        ch.position(whole.length);
        assertThat(ch.read(java.nio.ByteBuffer.allocate(1))).isEqualTo(-1);
      }
    }
  }

  /** The record's text with xattr values shown (byte arrays compare by identity). */
  private static String describe(DirectoryEntry e) {
    Map<String, String> x = new TreeMap<>();
    e.xattrs().forEach((k, v) -> x.put(k, HexFormat.of().formatHex(v)));
    return e.toString().replaceAll("xattrs=\\{[^}]*}", "xattrs=" + x);
  }

  private static Map<String, DirectoryEntry> walk(RepositoryClient client) throws Exception {
    Map<String, DirectoryEntry> out = new TreeMap<>();
    Deque<String> dirs = new ArrayDeque<>(List.of(""));
    while (!dirs.isEmpty()) {
      String dir = dirs.pop();
      for (DirectoryEntry e : client.list(dir)) {
        out.put(e.path().substring(1), e);
        if (e.isDirectory()) {
          dirs.push(e.path());
        }
      }
    }
    return out;
  }

  private static String[] actual(RepositoryClient client, DirectoryEntry e) throws Exception {
    EntryKind k = e.kind();
    boolean file = k == EntryKind.REGULAR;
    String sha256 = "-";
    String chunks = "-";
    if (file) {
      try (InputStream in = client.open(e.path())) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(in.readAllBytes());
        sha256 = HexFormat.of().formatHex(md.digest());
      }
      chunks = e.chunked() ? Integer.toString(client.chunks(e.path()).size()) : "1";
    }
    List<String> xattrs = new ArrayList<>();
    for (String name : XATTRS) {
      byte[] v = e.xattrs().get(name);
      if (v != null) {
        xattrs.add(name + "=" + new String(v, StandardCharsets.UTF_8));
      }
    }
    return new String[] {
      e.path().substring(1),
      String.valueOf(k.letter()),
      Integer.toOctalString(e.permissions()),
      k == EntryKind.DIRECTORY ? "-" : Long.toString(e.sizeBytes()),
      file ? Integer.toString(e.linkCount()) : "-",
      "GROUP", // compared as a partition below
      sha256,
      file && !e.chunked() ? e.hash().toString() : "-",
      chunks,
      k == EntryKind.SYMLINK ? client.readlink(e.path()) : "-",
      xattrs.isEmpty() ? "-" : String.join(";", xattrs),
      Long.toString(e.uid()),
      Long.toString(e.gid()),
      Long.toString(e.mtimeSeconds()),
      k.isDevice() ? DeviceNumbers.major(e.rdev()) + "," + DeviceNumbers.minor(e.rdev()) : "-"
    };
  }

  private static Map<String, String[]> readExpected(String name) throws Exception {
    Map<String, String[]> out = new TreeMap<>();
    for (String line :
        Files.readAllLines(
            Fixtures.ROOT.resolve("expected").resolve(name), StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      String[] col = line.split("\t", -1);
      assertThat(col).as(line).hasSize(15);
      out.put(col[0], col);
    }
    return out;
  }

  private static Set<Set<String>> partition(Map<String, Set<String>> groups) {
    return groups.values().stream().filter(s -> s.size() > 1).collect(Collectors.toSet());
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }
}
