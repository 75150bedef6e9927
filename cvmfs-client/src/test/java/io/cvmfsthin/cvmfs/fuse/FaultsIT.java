package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mount under failing servers and a small cache: cached data keeps working, nothing hangs. */
@Tag("fuse")
@Tag("root")
class FaultsIT {
  private static final String CACHED = "data/random-64KiB.bin";
  private static final String UNCACHED = "data/random-300KiB.bin";

  @BeforeAll
  static void capabilities() {
    FuseTests.requireFuseAndRoot();
  }

  @Test
  void serverStopped_cachedFilesWork_uncachedReadsFailWithEio(@TempDir Path tmp) throws Exception {
    Map<String, String[]> expected = FuseTests.readExpected("fixture.example.org-rev3.tsv");
    try (HttpStratum stratum = HttpStratum.serve(FuseTests.FIXTURES);
        RepositoryMount m = mountFixture(stratum.url(FuseTests.FQRN), tmp)) {
      Path cached = m.mountPoint().resolve(CACHED);
      assertThat(FuseTests.sha256(cached)).isEqualTo(expected.get(CACHED)[6]);
      Files.size(m.mountPoint().resolve(UNCACHED)); // metadata from the root catalog
      stratum.stop();

      assertThat(FuseTests.sha256(cached)).isEqualTo(expected.get(CACHED)[6]);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> Files.readAllBytes(m.mountPoint().resolve(UNCACHED)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("Input/output error");
      assertThat((System.nanoTime() - t0) / 1_000_000_000).as("seconds to EIO").isLessThan(20);
      assertThat(m.counters()).containsPattern("errors=[1-9]");

      stratum.restart();
      assertThat(FuseTests.sha256(m.mountPoint().resolve(UNCACHED)))
          .isEqualTo(expected.get(UNCACHED)[6]);
    }
  }

  @Test
  void serverSlowerThanTheTimeout_readFailsWithEio_anotherFileStillWorks(@TempDir Path tmp)
      throws Exception {
    try (HttpStratum stratum = HttpStratum.serve(FuseTests.FIXTURES);
        RepositoryMount m = mountFixture(stratum.url(FuseTests.FQRN), tmp)) {
      stratum.delay("P", 6000); // chunks answer after 6 s; the read timeout is 2 s
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> Files.readAllBytes(m.mountPoint().resolve(UNCACHED)))
          .isInstanceOf(IOException.class);
      assertThat((System.nanoTime() - t0) / 1_000_000_000).as("seconds to EIO").isLessThan(20);
      assertThat(Files.readAllBytes(m.mountPoint().resolve(CACHED))).hasSize(65536);
    }
  }

  @Test
  void corruptedObjectsOnTheFirstServer_areReadFromTheSecond(@TempDir Path tmp) throws Exception {
    Map<String, String[]> expected = FuseTests.readExpected("fixture.example.org-rev3.tsv");
    try (HttpStratum bad = HttpStratum.serve(FuseTests.FIXTURES);
        HttpStratum good = HttpStratum.serve(FuseTests.FIXTURES)) {
      bad.corrupt("P");
      try (RepositoryMount m =
          mountFixture(bad.url(FuseTests.FQRN) + ";" + good.url(FuseTests.FQRN), tmp)) {
        for (String f : new String[] {UNCACHED, "data/random-hex-1.5MiB.txt", CACHED}) {
          assertThat(FuseTests.sha256(m.mountPoint().resolve(f)))
              .as(f)
              .isEqualTo(expected.get(f)[6]);
        }
        assertThat(good.requests()).anyMatch(r -> r.endsWith("P"));
      }
    }
  }

  @Test
  void cacheSmallerThanTheWorkingSet_evicts_andEveryReadSucceeds(@TempDir Path tmp)
      throws Exception {
    Map<String, String[]> expected = FuseTests.readExpected("fixture.example.org-rev3.tsv");
    try (HttpStratum stratum = HttpStratum.serve(FuseTests.FIXTURES);
        RepositoryMount m =
            RepositoryMount.mount(
                FuseTests.fixtureSettings(
                        FuseTests.FQRN, stratum.url(FuseTests.FQRN), tmp.resolve("c"))
                    .quotaBytes(1024 * 1024)
                    .build(),
                tmp.resolve("mnt"),
                TransportOptions.PLAIN)) {
      for (int round = 0; round < 2; round++) {
        for (Map.Entry<String, String[]> e : expected.entrySet()) {
          if (e.getValue()[1].equals("f") && !e.getKey().startsWith("many/")) {
            assertThat(FuseTests.sha256(m.mountPoint().resolve(e.getKey())))
                .as(e.getKey())
                .isEqualTo(e.getValue()[6]);
          }
        }
      }
      assertThat(m.client().counters().cacheUsedBytes()).isLessThanOrEqualTo(1024 * 1024);
      assertThat(m.counters()).contains("errors=0");
    }
  }

  private static RepositoryMount mountFixture(String urls, Path tmp) throws IOException {
    return RepositoryMount.mount(
        FuseTests.fixtureSettings(FuseTests.FQRN, urls, tmp.resolve("cache")).build(),
        tmp.resolve("mnt"),
        TransportOptions.PLAIN);
  }
}
