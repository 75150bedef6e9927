package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A publish that fails at any stage leaves the previous revision served and intact, and nothing of
 * its own behind; concurrent publishes are serialized and all land.
 */
class CrashSafetyTest {
  static final String FQRN = "crash.example.org";

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(RepositoryPublisher.Stage.class)
  void failureAtAnyStage_leavesThePreviousRevision(RepositoryPublisher.Stage stage)
      throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    p.publish(Publication.tar("/", new TestRepos.Tar().file("old.txt", "old").stream()));
    Map<String, String> before = TestRepos.snapshot(storage);
    RepositoryPublisher failing =
        p.withHook(
            s -> {
              if (s == stage) {
                throw new IOException("injected failure at " + s);
              }
            });
    assertThatThrownBy(
            () ->
                failing.publish(
                    Publication.tar(
                        "/new",
                        new TestRepos.Tar()
                                .file("new.txt", "new")
                                .file("big", PublishRoundTripIT.random(300_000, 5))
                                .file("n/.cvmfscatalog", "")
                                .stream())))
        .hasMessageContaining("injected failure at " + stage);
    assertThat(TestRepos.snapshot(storage)).isEqualTo(before);
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.manifest.revision()).isEqualTo(1);
    assertThat(r.content("/old.txt")).asString().isEqualTo("old");
    // and the next publish builds on the old revision
    PublishResult next =
        p.publish(Publication.tar("/new", new TestRepos.Tar().file("new.txt", "new").stream()));
    assertThat(next.revision()).isEqualTo(2);
    assertThat(RepositoryInspector.inspect(storage, keys, FQRN).content("/new/new.txt"))
        .asString()
        .isEqualTo("new");
  }

  @ParameterizedTest
  @EnumSource(RepositoryPublisher.Stage.class)
  void failureInTheSecondPublicationOfATransaction_leavesThePreviousRevision(
      RepositoryPublisher.Stage stage) throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    p.publish(Publication.tar("/", new TestRepos.Tar().file("old.txt", "old").stream()));
    Map<String, String> before = TestRepos.snapshot(storage);
    // the first two stages are reached once per publication: fail at the second's; the manifest
    // stage comes once, after both
    int failAt = stage == RepositoryPublisher.Stage.BEFORE_MANIFEST ? 1 : 2;
    int[] reached = new int[1];
    RepositoryPublisher failing =
        p.withHook(
            s -> {
              if (s == stage && ++reached[0] == failAt) {
                throw new IOException("injected failure at " + s + " " + failAt);
              }
            });
    assertThatThrownBy(
            () ->
                failing.transaction(
                    t -> {
                      t.apply(
                          Publication.tar(
                                  "/.layers",
                                  new TestRepos.Tar()
                                          .file("ab/.cvmfscatalog", "")
                                          .file("ab/abc/layerfs/a", "a")
                                          .stream())
                              .withNestedCatalog(true));
                      t.apply(
                          Publication.tar(
                              "/.layers/ab/abd",
                              new TestRepos.Tar()
                                      .file("layerfs/big", PublishRoundTripIT.random(300_000, 6))
                                      .file("layerfs/.cvmfscatalog", "")
                                      .stream()));
                    }))
        .hasMessageContaining("injected failure at " + stage + " " + failAt);
    assertUnchangedAndUsable(p, storage, keys, before);
  }

  @Test
  void aBodyThatThrows_afterTwoPublications_leavesThePreviousRevision() throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    p.publish(Publication.tar("/", new TestRepos.Tar().file("old.txt", "old").stream()));
    Map<String, String> before = TestRepos.snapshot(storage);

    assertThatThrownBy(
            () ->
                p.transaction(
                    t -> {
                      t.apply(
                          Publication.tar("/a", new TestRepos.Tar().file("f", "a").stream())
                              .withNestedCatalog(true));
                      t.apply(Publication.tar("/a/b", new TestRepos.Tar().file("g", "b").stream()));
                      throw new IOException("the caller gave up");
                    }))
        .hasMessage("the caller gave up");
    assertUnchangedAndUsable(p, storage, keys, before);
  }

  @Test
  void aBrokenTarInTheSecondPublication_leavesThePreviousRevision() throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    p.publish(Publication.tar("/", new TestRepos.Tar().file("old.txt", "old").stream()));
    Map<String, String> before = TestRepos.snapshot(storage);
    byte[] good = new TestRepos.Tar().file("big", PublishRoundTripIT.random(300_000, 7)).bytes();
    byte[] truncated = java.util.Arrays.copyOf(good, 100_000);

    assertThatThrownBy(
            () ->
                p.transaction(
                    t -> {
                      t.apply(Publication.tar("/a", new TestRepos.Tar().file("f", "a").stream()));
                      t.apply(Publication.tar("/b", new java.io.ByteArrayInputStream(truncated)));
                    }))
        .isInstanceOf(IOException.class);
    assertUnchangedAndUsable(p, storage, keys, before);
  }

  /** Revision 1 served, nothing added to the storage, and the next publish makes revision 2. */
  private static void assertUnchangedAndUsable(
      RepositoryPublisher p, Path storage, Path keys, Map<String, String> before) throws Exception {
    assertThat(TestRepos.snapshot(storage)).isEqualTo(before);
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.manifest.revision()).isEqualTo(1);
    assertThat(r.content("/old.txt")).asString().isEqualTo("old");
    PublishResult next =
        p.publish(Publication.tar("/new", new TestRepos.Tar().file("new.txt", "new").stream()));
    assertThat(next.revision()).isEqualTo(2);
  }

  @Test
  void concurrentPublishes_areSerializedAndAllLand() throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Long> revisions = Collections.synchronizedList(new ArrayList<>());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int n = i;
        futures.add(
            pool.submit(
                () -> {
                  // each thread opens its own publisher, as separate callers would
                  RepositoryPublisher own = RepositoryPublisher.open(storage, keys, FQRN);
                  revisions.add(
                      own.publish(
                              Publication.tar(
                                  "/t" + n, new TestRepos.Tar().file("f", "thread " + n).stream()))
                          .revision());
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(revisions).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.manifest.revision()).isEqualTo(8);
    for (int i = 0; i < 8; i++) {
      assertThat(r.content("/t" + i + "/f")).asString().isEqualTo("thread " + i);
    }
    assertThat(p.manifest().revision()).isEqualTo(8);
  }
}
