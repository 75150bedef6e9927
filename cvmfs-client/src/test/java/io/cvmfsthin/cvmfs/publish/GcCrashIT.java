package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real crash of {@code repo gc}: a child JVM collecting garbage halts before its n-th deletion
 * (no cleanup runs, the OS drops its lock); every retained revision still reads whole, a publish
 * goes through, and a rerun deletes exactly the rest.
 */
class GcCrashIT {
  static final String FQRN = "gc-kill.example.org";

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 40})
  void haltedHalfway_retainedRevisionsRead_andARerunFinishes(int haltAt) throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    Path repo = storage.resolve(FQRN);
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    TestRepos.Tar first = new TestRepos.Tar();
    for (int i = 0; i < 60; i++) {
      first.file("many/f" + i, "version one of " + i);
    }
    p.publish(Publication.tar("/", first.stream()));
    PublishResult previous =
        p.publish(Publication.tar("/many", new TestRepos.Tar().file("g", "two").stream()));
    PublishResult head =
        p.publish(Publication.tar("/other", new TestRepos.Tar().file("h", "three").stream()));

    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                GcChild.class.getName(),
                storage.toString(),
                keys.toString(),
                FQRN,
                Integer.toString(haltAt))
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("child.log").toFile())
            .start();
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(Files.readString(tmp.resolve("child.log"))).isEqualTo(137);

    Set<String> kept = new TreeSet<>();
    for (ContentHash root : List.of(head.rootCatalog(), previous.rootCatalog())) {
      RepositoryInspector walked = RepositoryInspector.walkRevision(repo, root);
      walked.contents(); // every object present and hash-checked
      kept.addAll(walked.objectPaths());
    }
    RepositoryInspector now = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(now.content("/other/h")).asString().isEqualTo("three");
    kept.add(now.manifest.certificate().objectPath(ObjectType.CERTIFICATE));
    kept.add(now.manifest.history().objectPath(ObjectType.HISTORY));
    if (now.manifest.metainfo() != null) {
      kept.add(now.manifest.metainfo().objectPath(ObjectType.METAINFO));
    }
    Set<String> halfway = objectFiles(repo);
    assertThat(halfway).containsAll(kept).hasSizeGreaterThan(kept.size());

    GarbageCollection.Result rerun =
        p.collectGarbage(
            GarbageCollection.Retention.revisions(1), false, GarbageCollection.Listener.NONE);
    assertThat(objectFiles(repo)).isEqualTo(kept);
    assertThat(rerun.swept().deletedObjects()).isEqualTo(halfway.size() - kept.size());
    RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(
            p.publish(Publication.tar("/x", new TestRepos.Tar().file("x", "x").stream()))
                .revision())
        .isEqualTo(head.revision() + 1);
  }

  static Set<String> objectFiles(Path repo) throws Exception {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      s.filter(Files::isRegularFile)
          .map(f -> repo.relativize(f).toString())
          .filter(f -> !f.startsWith("data/txn/"))
          .forEach(out::add);
    }
    return out;
  }
}
