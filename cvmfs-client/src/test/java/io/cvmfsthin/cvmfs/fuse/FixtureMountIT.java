package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The repositories the stock tools wrote, mounted with real FUSE: every entry must look exactly as
 * under the stock client ({@code expected/*.tsv}), and mounting plus reading one file must fetch
 * only that file's object besides the signed files and catalogs.
 */
@Tag("fuse")
@Tag("root")
class FixtureMountIT {
  private static HttpStratum stratum;

  @BeforeAll
  static void serve() throws Exception {
    FuseTests.requireFuseAndRoot();
    stratum = HttpStratum.serve(FuseTests.FIXTURES);
  }

  @AfterAll
  static void stop() {
    if (stratum != null) {
      stratum.close();
    }
  }

  @ParameterizedTest(name = "{0} tag {1}")
  @CsvSource({
    "fixture.example.org, '', fixture.example.org-rev3.tsv",
    "fixture.example.org, rev1, fixture.example.org-rev1.tsv",
    "fixture.example.org, rev2, fixture.example.org-rev2.tsv",
    "fixture-shake.example.org, '', fixture-shake.example.org-rev1.tsv",
  })
  void mountedTree_equalsWhatTheStockClientShows(
      String fqrn, String tag, String expectedFile, @TempDir Path tmp) throws Exception {
    Map<String, String[]> expected = FuseTests.readExpected(expectedFile);
    try (RepositoryMount m =
        RepositoryMount.mount(
            FuseTests.fixtureSettings(fqrn, stratum.url(fqrn), tmp.resolve("cache"))
                .tag(tag)
                .build(),
            tmp.resolve("mnt"),
            TransportOptions.PLAIN)) {
      Map<String, String[]> actual = FuseTests.describe(m.mountPoint());
      assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
      Map<String, Set<String>> expectedGroups = new HashMap<>();
      Map<String, Set<String>> actualGroups = new HashMap<>();
      for (String path : expected.keySet()) {
        String[] want = expected.get(path).clone();
        String[] got = actual.get(path).clone();
        group(expectedGroups, want[5], path);
        group(actualGroups, got[5], path);
        want[5] = got[5] = "GROUP";
        assertThat(got).as(path).containsExactly(want);
      }
      assertThat(partition(actualGroups)).isEqualTo(partition(expectedGroups));

      // non-root entries list their own xattrs only; the root lists the magic ones
      Path readme = m.mountPoint().resolve("README.txt");
      if (fqrn.equals(FuseTests.FQRN)) {
        assertThat(
                Files.getFileAttributeView(
                        readme, java.nio.file.attribute.UserDefinedFileAttributeView.class)
                    .list())
            .containsExactly("readme");
      }
      assertThat(FuseTests.xattr(m.mountPoint(), "user.fqrn")).isEqualTo(fqrn);
      assertThat(FuseTests.xattr(readme, "user.revision"))
          .isEqualTo(Long.toString(m.client().revision()));
      assertThat(FuseTests.xattr(m.mountPoint(), "user.root_hash"))
          .isEqualTo(m.client().rootCatalog().toString());
      assertThat(FuseTests.xattr(m.mountPoint(), "user.host")).isEqualTo(stratum.url(fqrn));
      assertThat(FuseTests.xattr(m.mountPoint(), "user.counters")).contains("fetches=");
    }
    assertThat(Unmounter.isMountPoint(tmp.resolve("mnt").toAbsolutePath())).isFalse();
  }

  @Test
  void readingOneFile_fetchesOnlyItsObjectBesidesSignedFilesAndCatalogs(@TempDir Path tmp)
      throws Exception {
    try (HttpStratum own = HttpStratum.serve(FuseTests.FIXTURES);
        RepositoryMount m =
            RepositoryMount.mount(
                FuseTests.fixtureSettings(FuseTests.FQRN, own.url(FuseTests.FQRN), tmp.resolve("c"))
                    .build(),
                tmp.resolve("mnt"),
                TransportOptions.PLAIN)) {
      Path file = m.mountPoint().resolve("nested/deeper/zeros-600KiB.bin");
      assertThat(Files.size(file)).isEqualTo(614400);
      byte[] all = Files.readAllBytes(file);
      assertThat(all).hasSize(614400);
      List<String> requests = own.requests();
      Set<String> data =
          requests.stream()
              .filter(r -> r.contains("/data/"))
              .filter(r -> !r.endsWith("C") && !r.endsWith("X"))
              .collect(Collectors.toSet());
      // the file's three chunks share two objects
      assertThat(data).hasSize(2).allMatch(r -> r.endsWith("P"));
      assertThat(requests)
          .allMatch(
              r ->
                  r.endsWith("/.cvmfspublished")
                      || r.endsWith("/.cvmfswhitelist")
                      || r.endsWith("C")
                      || r.endsWith("X")
                      || data.contains(r));
      assertThat(requests.stream().filter(data::contains).count()).isEqualTo(2);
      assertThat(m.counters()).contains("fetch_failures=0");
    }
  }

  private static void group(Map<String, Set<String>> groups, String key, String path) {
    if (!key.equals("-")) {
      groups.computeIfAbsent(key, k -> new TreeSet<>()).add(path);
    }
  }

  private static Set<Set<String>> partition(Map<String, Set<String>> groups) {
    return groups.values().stream().filter(s -> s.size() > 1).collect(Collectors.toSet());
  }
}
