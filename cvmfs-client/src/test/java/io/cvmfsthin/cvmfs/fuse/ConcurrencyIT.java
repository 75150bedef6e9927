package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight readers at once on cold data: every object is fetched exactly once. */
@Tag("fuse")
@Tag("root")
class ConcurrencyIT {
  private static final int THREADS = 8;
  private static final int SMALL_FILES = 1000;

  @BeforeAll
  static void capabilities() {
    FuseTests.requireFuseAndRoot();
  }

  @Test
  void eightThreads_onOneBigFileAndAThousandSmallOnes_fetchEachObjectOnce(@TempDir Path tmp)
      throws Exception {
    byte[] big = new byte[100 << 20];
    new Random(42).nextBytes(big);
    String bigSha = sha256(big);
    PublishedRepo.Tar tar =
        new PublishedRepo.Tar().file("big.bin", 0644, 0, big).dir("small", 0755);
    for (int i = 0; i < SMALL_FILES; i++) {
      tar.file("small/f" + i + ".txt", "small file number " + i + "\n");
    }
    try (PublishedRepo repo =
        PublishedRepo.create(tmp.resolve("srv"), "conc.example.org", RepositorySettings.DEFAULT)) {
      repo.publish("/", tar.bytes(), false);
      big = null; // the tar bytes went to the publisher; keep the heap small
      try (RepositoryMount m =
          RepositoryMount.mount(
              repo.settings(tmp.resolve("cache")).fetch(FuseTests.PATIENT).build(),
              tmp.resolve("mnt"),
              TransportOptions.PLAIN)) {
        repo.stratum.clearLog();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
          List<Future<String>> bigReads = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            bigReads.add(
                pool.submit(() -> sha256(Files.readAllBytes(m.mountPoint().resolve("big.bin")))));
          }
          for (Future<String> f : bigReads) {
            assertThat(f.get()).isEqualTo(bigSha);
          }
          List<Future<Integer>> smallReads = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            long seed = t;
            smallReads.add(
                pool.submit(
                    () -> {
                      List<Integer> order = new ArrayList<>();
                      for (int i = 0; i < SMALL_FILES; i++) {
                        order.add(i);
                      }
                      Collections.shuffle(order, new Random(seed));
                      int ok = 0;
                      for (int i : order) {
                        String s =
                            Files.readString(
                                m.mountPoint().resolve("small/f" + i + ".txt"),
                                StandardCharsets.UTF_8);
                        if (s.equals("small file number " + i + "\n")) {
                          ok++;
                        }
                      }
                      return ok;
                    }));
          }
          for (Future<Integer> f : smallReads) {
            assertThat(f.get()).isEqualTo(SMALL_FILES);
          }
        } finally {
          pool.shutdownNow();
        }
        Map<String, Long> perObject =
            repo.stratum.requests().stream()
                .filter(r -> r.contains("/data/"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(perObject.values()).as("requests per object").allMatch(n -> n == 1);
        assertThat(perObject.keySet().stream().filter(r -> r.endsWith("P")).count())
            .as("chunks of big.bin")
            .isGreaterThan(1);
        assertThat(
                perObject.keySet().stream()
                    .filter(r -> !r.endsWith("P") && !r.endsWith("C"))
                    .count())
            .as("small file objects")
            .isEqualTo(SMALL_FILES);
      }
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
