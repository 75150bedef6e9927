package io.cvmfsthin.driver;

import static io.cvmfsthin.driver.ThinCommitIT.BASE;
import static io.cvmfsthin.driver.ThinCommitIT.I;
import static io.cvmfsthin.driver.ThinCommitIT.L;
import static io.cvmfsthin.driver.ThinCommitIT.M;
import static io.cvmfsthin.driver.ThinCommitIT.REPO;
import static io.cvmfsthin.driver.ThinCommitIT.T;
import static io.cvmfsthin.driver.ThinCommitIT.thinJsonOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.driver.archive.TestTar;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.thin.ThinDescriptorException;
import io.cvmfsthin.thinimage.thin.ThinDescriptorReader;
import io.cvmfsthin.thinimage.thin.ThinImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits above a thin image ({@link ThinCommits}, reached through {@link GraphDriver#diff}) with
 * an in-memory publisher that makes each published layer a directory of a plain-directory
 * repository, and the in-memory host edge. The real publisher and client are ThinCommitIT's.
 */
class ThinCommitsTest {
  @TempDir Path tmp;
  Path home;
  Path repos;
  DirectoryRepositories repositories;
  final MemoryHost fake = new MemoryHost();

  /** Publishes into {@code repos/<fqrn>}: each absent layer becomes a directory (if visible). */
  final class MemoryPublisher implements CommitPublisher {
    final List<List<String>> calls = new ArrayList<>(); // paths per publishAbsent call
    final List<String> tarEntries = new ArrayList<>(); // names in every tar published
    boolean visible = true;
    IOException failure;

    @Override
    public String fqrn() {
      return REPO;
    }

    @Override
    public int publishAbsent(List<LayerTar> layers) throws IOException {
      calls.add(layers.stream().map(LayerTar::path).toList());
      if (failure != null) {
        throw failure;
      }
      int published = 0;
      for (LayerTar layer : layers) {
        assertThat(Digest.of(Files.readAllBytes(layer.tar()))).isEqualTo(layer.diffId());
        Path dir = repos.resolve(REPO).resolve(layer.path().replaceFirst("^/+", ""));
        if (Files.isDirectory(dir)) {
          continue;
        }
        try (TarArchiveInputStream in =
            new TarArchiveInputStream(Files.newInputStream(layer.tar()))) {
          for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
            tarEntries.add(e.getName());
          }
        }
        if (visible) {
          Files.createDirectories(dir);
        }
        published++;
      }
      return published;
    }
  }

  final MemoryPublisher publisher = new MemoryPublisher();

  @BeforeEach
  void setUp() throws IOException {
    home = tmp.resolve("home");
    repos = tmp.resolve("repos");
    Files.createDirectories(repos.resolve(REPO).resolve(BASE));
    repositories = new DirectoryRepositories(repos);
  }

  GraphDriver driver(CommitPublisher p, Duration visibleWithin) throws IOException {
    GraphDriver d = new GraphDriver(fake.host(), repositories, p, visibleWithin);
    d.init(home, List.of());
    return d;
  }

  static String thinJson(int layers) {
    StringBuilder s = new StringBuilder("{\"version\":\"1.0\",\"layers\":[");
    for (int i = 0; i < layers; i++) {
      s.append(i == 0 ? "" : ",")
          .append("{\"digest\":\"")
          .append("a".repeat(64))
          .append("\",\"url\":\"cvmfs://" + REPO + "/" + BASE + "\"}");
    }
    return s.append("]}").toString();
  }

  /** T (thin, {@code thinLayers} CVMFS layers), L on T, I (-init) and M (the container). */
  void thinImageWithContainer(GraphDriver d, int thinLayers) throws IOException {
    d.create(CreateRequest.of(T, ""));
    d.applyDiff(T, "", new TestTar().file("thin.json", thinJson(thinLayers)).stream());
    d.create(CreateRequest.of(L, T));
    d.applyDiff(L, T, new TestTar().dir("app", 0755).file("app/run", "run").stream());
    d.createReadWrite(CreateRequest.of(I, L));
    d.applyDiff(I, L, new TestTar().dir("etc", 0755).file("etc/hostname", "init").stream());
    d.createReadWrite(CreateRequest.of(M, I));
    Files.writeString(home.resolve(M + "/diff/created"), "new file");
  }

  /** The committed thin.json of M (Diff(M, I), as dockerd asks it). */
  static byte[] commit(GraphDriver d) throws IOException {
    try (InputStream in = d.diff(M, I)) {
      return thinJsonOf(in);
    }
  }

  List<String> scratchFiles() throws IOException {
    try (Stream<Path> s = Files.list(home)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains("commit")).toList();
    }
  }

  @Test
  void commit_publishesTheOrdinaryLayersButInit_andAppendsThemToTheDescriptor() throws Exception {
    GraphDriver d = driver(publisher, Duration.ofSeconds(5));
    thinImageWithContainer(d, 1);
    byte[] json = commit(d);
    ThinImage image = ThinDescriptorReader.read(json, "test");
    assertThat(image.layers()).hasSize(3);
    assertThat(image.layers().get(0).url().path()).isEqualTo(BASE);
    assertThat(publisher.calls).hasSize(1);
    assertThat(publisher.calls.get(0)).hasSize(2).allMatch(p -> p.startsWith("/.layers/"));
    assertThat(image.layers().subList(1, 3))
        .extracting(l -> l.url().fqrn() + "/" + l.url().path())
        .containsExactlyElementsOf(publisher.calls.get(0).stream().map(p -> REPO + p).toList());
    assertThat(publisher.tarEntries).contains("app/run", "created").doesNotContain("etc/hostname");
    assertThat(scratchFiles()).as("layer tars removed").isEmpty();
    assertThat(repositories.references(REPO)).isZero();
  }

  @Test
  void commitAgain_publishesNothingNew_andReturnsTheSameDescriptor() throws Exception {
    GraphDriver d = driver(publisher, Duration.ofSeconds(5));
    thinImageWithContainer(d, 1);
    byte[] first = commit(d);
    int entries = publisher.tarEntries.size();
    byte[] second = commit(d);
    assertThat(second).isEqualTo(first);
    assertThat(publisher.tarEntries).hasSize(entries);
  }

  @Test
  void withoutPublisher_theDiffIsAnOrdinaryTar() throws Exception {
    GraphDriver d = driver(CommitPublisher.NONE, Duration.ZERO);
    thinImageWithContainer(d, 1);
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(d.diff(M, I))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        names.add(e.getName());
      }
    }
    assertThat(names).containsExactly("created");
  }

  @Test
  void diffOfTheThinLayerItself_isItsDescriptor_notACommit() throws Exception {
    GraphDriver d = driver(publisher, Duration.ofSeconds(5));
    thinImageWithContainer(d, 1);
    try (InputStream in = d.diff(T, "")) {
      assertThat(new String(thinJsonOf(in))).isEqualTo(thinJson(1));
    }
    assertThat(publisher.calls).isEmpty();
  }

  @Test
  void tooManyLayers_isRefusedBeforeAnythingIsPublished() throws Exception {
    GraphDriver d = driver(publisher, Duration.ofSeconds(5));
    thinImageWithContainer(d, ThinImage.MAX_LAYERS - 1);
    assertThatThrownBy(() -> d.diff(M, I))
        .isInstanceOf(ThinDescriptorException.class)
        .hasMessageContaining(
            "layer " + M + ": committing would make " + (ThinImage.MAX_LAYERS + 1))
        .hasMessageContaining("(" + ThinImage.MAX_LAYERS + ")");
    assertThat(publisher.calls).isEmpty();
  }

  @Test
  void failedPublish_failsTheDiff_andLeavesNoLayerTars() throws Exception {
    publisher.failure = new IOException("repository " + REPO + ": transaction refused");
    GraphDriver d = driver(publisher, Duration.ofSeconds(5));
    thinImageWithContainer(d, 1);
    assertThatThrownBy(() -> d.diff(M, I)).hasMessageContaining("transaction refused");
    assertThat(scratchFiles()).isEmpty();
  }

  @Test
  void publishedButNotVisible_failsNamingRepositoryAndPath() throws Exception {
    publisher.visible = false;
    GraphDriver d = driver(publisher, Duration.ofMillis(300));
    thinImageWithContainer(d, 1);
    assertThatThrownBy(() -> d.diff(M, I))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("repository " + REPO + ": /.layers/")
        .hasMessageContaining("was published but is not visible on this host");
    assertThat(repositories.references(REPO)).as("the wait's reference is dropped").isZero();
    assertThat(scratchFiles()).isEmpty();
  }

  @Test
  void theVisibilityWait_holdsNoLayerLock() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    CountDownLatch visible = new CountDownLatch(1);
    RepositoryMounts slowToSee =
        new RepositoryMounts() {
          @Override
          public boolean isConfigured(String fqrn) {
            return repositories.isConfigured(fqrn);
          }

          @Override
          public Path acquire(String fqrn) throws IOException {
            return repositories.acquire(fqrn);
          }

          @Override
          public void release(String fqrn) {
            repositories.release(fqrn);
          }

          @Override
          public void awaitVisible(String fqrn, List<String> paths, Duration timeout)
              throws IOException {
            waiting.countDown();
            try {
              visible.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            repositories.awaitVisible(fqrn, paths, timeout);
          }
        };
    GraphDriver d = new GraphDriver(fake.host(), slowToSee, publisher, Duration.ofSeconds(5));
    d.init(home, List.of());
    thinImageWithContainer(d, 1);
    ExecutorService threads = Executors.newCachedThreadPool();
    try {
      Future<byte[]> committing = threads.submit(() -> commit(d));
      assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
      try {
        // M's lock is free while the commit waits to see its layers: a Get of M goes through
        Path merged = threads.submit(() -> d.get(M, "")).get(10, TimeUnit.SECONDS);
        assertThat(fake.mounter.isMounted(merged)).isTrue();
        d.put(M);
      } finally {
        visible.countDown();
      }
      assertThat(ThinDescriptorReader.read(committing.get(10, TimeUnit.SECONDS), "test").layers())
          .hasSize(3);
    } finally {
      threads.shutdownNow();
    }
  }
}
