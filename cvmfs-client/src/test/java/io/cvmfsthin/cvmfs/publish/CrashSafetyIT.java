package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.object.ContentHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real crashes: a child JVM publishing is halted at each stage, or killed with SIGKILL at random
 * moments; the repository then reads at the old or the new revision, every object under {@code
 * data/XX/} hashes to its name, and the next publish succeeds. Two processes publishing at once
 * both land.
 */
class CrashSafetyIT {
  static final String FQRN = "kill.example.org";

  @TempDir Path tmp;
  Path storage;
  Path keys;
  Path tar;

  @BeforeEach
  void repository() throws Exception {
    storage = tmp.resolve("srv");
    keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    p.publish(Publication.tar("/", new TestRepos.Tar().file("old.txt", "old").stream()));
    TestRepos.Tar t = new TestRepos.Tar().file("big", PublishRoundTripIT.random(3_000_000, 9));
    for (int i = 0; i < 3000; i++) {
      t.file("many/f" + i, "file " + i + " " + "x".repeat(i % 300));
    }
    t.file("nested/.cvmfscatalog", "");
    t.file("nested/a", "a");
    tar = tmp.resolve("input.tar");
    Files.write(tar, t.bytes());
  }

  Process child(String at, String halt) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            PublishChild.class.getName(),
            storage.toString(),
            keys.toString(),
            FQRN,
            at,
            tar.toString(),
            halt)
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child-" + System.nanoTime() + ".log").toFile())
        .start();
  }

  @ParameterizedTest
  @EnumSource(RepositoryPublisher.Stage.class)
  void haltedAtAnyStage_theOldRevisionStillReads(RepositoryPublisher.Stage stage) throws Exception {
    Process p = child("/new", stage.name());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(137);
    assertReadsAt(1, 1);
    assertObjectsIntact();
    assertThat(
            RepositoryPublisher.open(storage, keys, FQRN)
                .publish(Publication.tar("/x", new TestRepos.Tar().file("x", "x").stream()))
                .revision())
        .isEqualTo(2);
    try (Stream<Path> txn = Files.list(storage.resolve(FQRN).resolve("data/txn"))) {
      assertThat(txn).as("the next publish cleaned data/txn").isEmpty();
    }
  }

  /** After the first publication's catalogs are written, and once both are, before the manifest. */
  @ParameterizedTest
  @ValueSource(strings = {"CATALOGS_WRITTEN#2", "BEFORE_MANIFEST"})
  void haltedInsideATransactionOfTwoPublications_theOldRevisionStillReads(String halt)
      throws Exception {
    Process p = child("/t1,/t2", halt);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(137);
    assertReadsAt(1, 1);
    assertObjectsIntact();
    assertThat(RepositoryInspector.inspect(storage, keys, FQRN).entries)
        .doesNotContainKeys("/t1", "/t2");
    assertThat(
            RepositoryPublisher.open(storage, keys, FQRN)
                .publish(Publication.tar("/x", new TestRepos.Tar().file("x", "x").stream()))
                .revision())
        .isEqualTo(2);
  }

  @Test
  void sigkillAtRandomMoments_theRepositoryReadsAtOldOrNewRevision() throws Exception {
    Random random = new Random(42);
    long revision = 1;
    for (int round = 0; round < 5; round++) {
      Process p = child("/r" + round, "none");
      Thread.sleep(200 + random.nextInt(2500));
      p.destroyForcibly();
      p.waitFor(60, TimeUnit.SECONDS);
      long now = assertReadsAt(revision, revision + 1);
      assertObjectsIntact();
      if (now == revision + 1) {
        assertThat(
                RepositoryInspector.inspect(storage, keys, FQRN)
                    .content("/r" + round + "/nested/a"))
            .asString()
            .isEqualTo("a");
      }
      revision = now;
    }
  }

  @Test
  void twoProcessesPublishingAtOnce_bothLand() throws Exception {
    Process a = child("/a", "none");
    Process b = child("/b", "none");
    assertThat(a.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(b.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(a.exitValue()).isZero();
    assertThat(b.exitValue()).isZero();
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.manifest.revision()).isEqualTo(3);
    assertThat(r.content("/a/nested/a")).asString().isEqualTo("a");
    assertThat(r.content("/b/nested/a")).asString().isEqualTo("a");
    assertThat(r.content("/old.txt")).asString().isEqualTo("old");
  }

  private long assertReadsAt(long oldRevision, long newRevision) throws Exception {
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.manifest.revision()).isIn(oldRevision, newRevision);
    assertThat(r.content("/old.txt")).asString().isEqualTo("old");
    return r.manifest.revision();
  }

  /** Every file under data/XX/ is a complete object: its bytes hash to its name. */
  private void assertObjectsIntact() throws IOException {
    List<Path> objects = new ArrayList<>();
    try (Stream<Path> s = Files.walk(storage.resolve(FQRN).resolve("data"))) {
      s.filter(Files::isRegularFile)
          .filter(p -> !p.getParent().getFileName().toString().equals("txn"))
          .filter(p -> !p.toString().contains("/txn/"))
          .forEach(objects::add);
    }
    for (Path p : objects) {
      String name = p.getFileName().toString();
      if ("CPHXML".indexOf(name.charAt(name.length() - 1)) >= 0) {
        name = name.substring(0, name.length() - 1);
      }
      ContentHash h = ContentHash.parse(p.getParent().getFileName() + name);
      assertThat(h.algorithm().hash(Files.readAllBytes(p))).as(p.toString()).isEqualTo(h);
    }
  }
}
