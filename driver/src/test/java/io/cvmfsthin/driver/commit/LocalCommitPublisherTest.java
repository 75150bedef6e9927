package io.cvmfsthin.driver.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import io.cvmfsthin.thinimage.layer.DigestMismatchException;
import io.cvmfsthin.thinimage.reference.Digest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed layer tars are hashed as they are published, in the same pass. */
class LocalCommitPublisherTest {
  private static final String FQRN = "commit.example.org";

  private static byte[] tar(String name, String content) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      byte[] b = content.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setSize(b.length);
      t.putArchiveEntry(e);
      t.write(b);
      t.closeArchiveEntry();
    }
    return out.toByteArray();
  }

  private static long objects(Path repo) throws Exception {
    try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
      return s.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/txn/")).count();
    }
  }

  @Test
  void tarMatchingItsDiffId_isPublished_oneWithout_publishesNothing(@TempDir Path dir)
      throws Exception {
    Path storage = dir.resolve("storage");
    Path keys = dir.resolve("keys");
    RepositoryPublisher.create(
        storage, keys, FQRN, RepositorySettings.DEFAULT, 30, Clock.systemUTC());
    LocalCommitPublisher publisher =
        new LocalCommitPublisher(storage, keys, FQRN, Clock.systemUTC());
    Path repo = storage.resolve(FQRN);

    byte[] good = tar("a.txt", "a");
    Path goodTar = Files.write(dir.resolve("good.tar"), good);
    byte[] other = tar("b.txt", "b");
    Path changed = Files.write(dir.resolve("changed.tar"), other);
    long before = objects(repo);
    long revision = RepositoryPublisher.open(storage, keys, FQRN).manifest().revision();

    List<CommitPublisher.LayerTar> layers =
        List.of(
            new CommitPublisher.LayerTar("/.layers/aa/good", goodTar, Digest.of(good)),
            // hashed as "good" was, then changed on disk: its diff_id no longer matches
            new CommitPublisher.LayerTar("/.layers/bb/changed", changed, Digest.of(good)));
    assertThatThrownBy(() -> publisher.publishAbsent(layers))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("/.layers/bb/changed");
    assertThat(RepositoryPublisher.open(storage, keys, FQRN).manifest().revision())
        .isEqualTo(revision);
    assertThat(objects(repo)).isEqualTo(before);

    assertThat(publisher.publishAbsent(layers.subList(0, 1))).isEqualTo(1);
    assertThat(RepositoryPublisher.open(storage, keys, FQRN).manifest().revision())
        .isEqualTo(revision + 1);
  }
}
