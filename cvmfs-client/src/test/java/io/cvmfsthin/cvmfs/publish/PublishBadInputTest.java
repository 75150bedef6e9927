package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.tar.TarFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input is refused with a message naming it, and the storage is left exactly as it was. */
class PublishBadInputTest {
  static final String FQRN = "bad.example.org";

  @TempDir Path tmp;
  Path storage;
  Path keys;
  RepositoryPublisher publisher;
  Map<String, String> before;

  @BeforeEach
  void repository() throws Exception {
    storage = tmp.resolve("srv");
    keys = tmp.resolve("keys");
    publisher = TestRepos.create(storage, keys, FQRN);
    publisher.publish(Publication.tar("/", new TestRepos.Tar().file("kept.txt", "kept").stream()));
    before = TestRepos.snapshot(storage);
  }

  void assertUnchanged() throws Exception {
    assertThat(TestRepos.snapshot(storage)).isEqualTo(before);
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.manifest.revision()).isEqualTo(1);
    assertThat(r.content("/kept.txt")).asString().isEqualTo("kept");
  }

  /**
   * Docker's own extraction cleans names from the layer root (overlay2 stores {@code /tmp/x},
   * {@code ../../../tmp/x} and {@code a/../../../tmp/x} as {@code tmp/x}); the publisher does the
   * same, so nothing lands outside the publication's directory.
   */
  @Test
  void absoluteAndClimbingNames_areCleanedFromThePublicationRoot() throws Exception {
    byte[] tar =
        new TestRepos.Tar()
            .file("/etc/passwd", "p")
            .file("../../x", "x")
            .file("a/../../../y", "y")
            .bytes();
    publisher.publish(Publication.tar("/sub", new ByteArrayInputStream(tar)));
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.content("/sub/etc/passwd")).asString().isEqualTo("p");
    assertThat(r.content("/sub/x")).asString().isEqualTo("x");
    assertThat(r.content("/sub/y")).asString().isEqualTo("y");
    assertThat(r.entries.keySet())
        .filteredOn(
            p -> !p.isEmpty() && !p.equals("/") && !p.equals("/sub") && !p.startsWith("/sub/"))
        .containsExactly("/kept.txt");
  }

  /** Hard link targets are cleaned like names: {@code ../outside} is {@code outside}, missing. */
  @ParameterizedTest
  @ValueSource(strings = {"../outside", "/etc/shadow", "missing"})
  void hardlinkToAFileNotInTheArchive_isRefused(String target) throws Exception {
    byte[] tar = new TestRepos.Tar().file("new.txt", "new").hardlink("link", target).bytes();
    assertThatThrownBy(() -> publisher.publish(Publication.tar("/", new ByteArrayInputStream(tar))))
        .isInstanceOf(TarFormatException.class)
        .hasMessageContaining("'link'");
    assertUnchanged();
  }

  /** A symlink's target is data, as in Docker: kept verbatim, resolved by whoever follows it. */
  @Test
  void symlinkClimbingOutOfTheTree_isKeptVerbatim() throws Exception {
    byte[] tar = new TestRepos.Tar().symlink("a/escape", "../../etc/passwd").bytes();
    publisher.publish(Publication.tar("/", new ByteArrayInputStream(tar)));
    RepositoryInspector r = RepositoryInspector.inspect(storage, keys, FQRN);
    assertThat(r.entries.get("/a/escape").symlink()).isEqualTo("../../etc/passwd");
  }

  @Test
  void entryThroughASymlink_isRefused() throws Exception {
    byte[] tar = new TestRepos.Tar().symlink("etc", "/etc").file("etc/passwd", "x").bytes();
    assertThatThrownBy(() -> publisher.publish(Publication.tar("/", new ByteArrayInputStream(tar))))
        .isInstanceOf(TarFormatException.class)
        .hasMessageContaining("etc/passwd")
        .hasMessageContaining("not a directory");
    assertUnchanged();
  }

  @Test
  void truncatedTar_isRefused() throws Exception {
    byte[] tar = new TestRepos.Tar().file("f", new byte[100_000]).bytes();
    byte[] cut = java.util.Arrays.copyOf(tar, 50_000);
    assertThatThrownBy(() -> publisher.publish(Publication.tar("/", new ByteArrayInputStream(cut))))
        .isInstanceOf(IOException.class);
    assertUnchanged();
  }

  @Test
  void publishingBelowAFile_isRefused() throws Exception {
    assertThatThrownBy(
            () ->
                publisher.publish(
                    Publication.tar("/kept.txt/sub", new TestRepos.Tar().file("a", "1").stream())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/kept.txt")
        .hasMessageContaining("not a directory");
    assertUnchanged();
  }

  @ParameterizedTest
  @ValueSource(strings = {"noDot", "a/b.org", "a..b.org", "../x.org", ".hidden.org", "x.org.", ""})
  void badRepositoryName_isRefused(String fqrn) throws Exception {
    assertThatThrownBy(
            () ->
                RepositoryPublisher.create(
                    storage, keys, fqrn, RepositorySettings.DEFAULT, 30, Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad repository name");
    assertUnchanged();
  }

  @Test
  void existingRepository_isNotCreatedAgain() throws Exception {
    assertThatThrownBy(
            () ->
                RepositoryPublisher.create(
                    storage, keys, FQRN, RepositorySettings.DEFAULT, 30, Clock.systemUTC()))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("exists already");
    assertUnchanged();
  }

  @Test
  void missingKeys_areNamed() throws Exception {
    Path otherKeys = Files.createDirectories(tmp.resolve("empty-keys"));
    RepositoryPublisher p = RepositoryPublisher.open(storage, otherKeys, FQRN);
    assertThatThrownBy(
            () -> p.publish(Publication.tar("/", new TestRepos.Tar().file("a", "1").stream())))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(FQRN + ".key")
        .hasMessageContaining("missing key file");
    assertThatThrownBy(() -> p.resign(30))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(FQRN + ".masterkey");
    assertUnchanged();
  }

  @Test
  void aCertificateNotInTheWhitelist_isRefused() throws Exception {
    Path otherKeys = tmp.resolve("other-keys");
    RepositoryKeys.generate(FQRN, Clock.systemUTC()).write(otherKeys, FQRN);
    RepositoryPublisher p = RepositoryPublisher.open(storage, otherKeys, FQRN);
    assertThatThrownBy(
            () -> p.publish(Publication.tar("/", new TestRepos.Tar().file("a", "1").stream())))
        .hasMessageContaining("not listed in the whitelist");
    assertUnchanged();
  }

  @Test
  void missingRepository_isNamed() {
    assertThatThrownBy(() -> RepositoryPublisher.open(storage, keys, "none.example.org"))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no repository none.example.org");
  }

  @Test
  void failedCreate_leavesNoKeysAndNoRepository() throws Exception {
    Path newKeys = tmp.resolve("new-keys");
    Files.createDirectories(newKeys);
    Files.writeString(newKeys.resolve("partial.example.org.pub"), "x");
    assertThatThrownBy(
            () ->
                RepositoryPublisher.create(
                    storage,
                    newKeys,
                    "partial.example.org",
                    RepositorySettings.DEFAULT,
                    30,
                    Clock.systemUTC()))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("some but not all key files");
    assertThat(storage.resolve("partial.example.org")).doesNotExist();
    assertUnchanged();
  }

  @Test
  void hostileEntryAfterPooledWrites_leavesNothingBehind() throws Exception {
    TestRepos.Tar t = new TestRepos.Tar();
    for (int i = 0; i < 300; i++) {
      t.file("f" + i, PublishRoundTripIT.random(1000 + i, i));
    }
    byte[] tar = t.symlink("s", "/etc").file("s/x", "x").bytes();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      RepositoryPublisher pooled = publisher.withExecutor(pool);
      assertThatThrownBy(() -> pooled.publish(Publication.tar("/", new ByteArrayInputStream(tar))))
          .isInstanceOf(TarFormatException.class)
          .hasMessageContaining("'s/x'");
    } finally {
      pool.shutdownNow();
    }
    assertUnchanged();
  }
}
