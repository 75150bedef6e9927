package io.cvmfsthin.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import io.cvmfsthin.driver.archive.DiffReader;
import io.cvmfsthin.driver.archive.TestTar;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.commit.LocalCommitPublisher;
import io.cvmfsthin.driver.store.LibcDeviceNodes;
import io.cvmfsthin.driver.store.LibcSymlinks;
import io.cvmfsthin.driver.store.LibcXattrs;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.thin.ThinDescriptorReader;
import io.cvmfsthin.thinimage.thin.ThinImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits above a thin image (thin-image.md §6.3) with the real in-process publisher writing a
 * stratum 0 on disk, read back by the real client over file://. The container's upper dir is
 * written directly in overlay form (0/0 device whiteout, opaque xattr), as overlayfs leaves it.
 */
@Tag("root")
class ThinCommitIT {
  static final String REPO = "commits.example.org";
  static final String T = "1".repeat(64);
  static final String L = "2".repeat(64);
  static final String I = "3".repeat(64) + "-init";
  static final String M = "3".repeat(64);
  static final String BASE = ".layers/aa/" + "a".repeat(64) + "/layerfs";

  @TempDir Path tmp;
  Path home;
  Path storage;
  Path keys;
  final List<GraphDriver> drivers = new ArrayList<>();

  @BeforeEach
  void repository() throws IOException {
    home = tmp.resolve("home");
    storage = tmp.resolve("stratum");
    keys = tmp.resolve("keys");
    RepositoryPublisher.create(
        storage, keys, REPO, RepositorySettings.DEFAULT, 30, Clock.systemUTC());
  }

  @AfterEach
  void cleanup() throws IOException {
    for (GraphDriver d : drivers) {
      d.cleanup();
    }
  }

  /** The repository as this host's client sees it: a fresh client per look, over file://. */
  final class ClientRepositories implements RepositoryMounts {
    int visibilityChecks;

    @Override
    public boolean isConfigured(String fqrn) {
      return fqrn.equals(REPO);
    }

    @Override
    public Path acquire(String fqrn) {
      return tmp.resolve("unused-mountpoint");
    }

    @Override
    public void release(String fqrn) {}

    @Override
    public void awaitVisible(String fqrn, List<String> paths, Duration timeout) throws IOException {
      visibilityChecks++;
      try (RepositoryClient c = client()) {
        for (String p : paths) {
          assertThat(c.lookup(p).isDirectory()).as(p).isTrue();
        }
      }
    }
  }

  RepositoryClient client() throws IOException {
    return RepositoryClient.open(
        ClientSettings.builder(REPO)
            .serverUrls(storage.toUri().toString().replaceAll("/$", "") + "/@fqrn@")
            .masterKeys(keys.resolve(REPO + ".pub"))
            .cacheDir(Files.createTempDirectory(tmp, "cache"))
            .build());
  }

  long revision() throws IOException {
    return RepositoryPublisher.open(storage, keys, REPO).manifest().revision();
  }

  GraphDriver driver(RepositoryMounts mounts, CommitPublisher publisher) throws IOException {
    GraphDriver d = new GraphDriver(Host.linux(), mounts, publisher, Duration.ofSeconds(5));
    d.init(home, List.of());
    drivers.add(d);
    return d;
  }

  LocalCommitPublisher publisher() {
    return new LocalCommitPublisher(storage, keys, REPO, Clock.systemUTC());
  }

  /** T (thin, one CVMFS layer), L (an ordinary image layer on T), I (-init) and M (container). */
  void thinImageWithContainer(GraphDriver d) throws IOException {
    d.create(CreateRequest.of(T, ""));
    String json =
        "{\n  \"version\": \"1.0\",\n  \"layers\": [{\"digest\":\""
            + "a".repeat(64)
            + "\",\"url\":\"cvmfs://"
            + REPO
            + "/"
            + BASE
            + "\"}]\n}";
    d.applyDiff(T, "", new TestTar().file("thin.json", json).stream());
    d.create(CreateRequest.of(L, T));
    d.applyDiff(L, T, new TestTar().dir("app", 0755).file("app/run", "run").stream());
    d.createReadWrite(CreateRequest.of(I, L));
    d.applyDiff(I, L, new TestTar().dir("etc", 0755).file("etc/hostname", "init").stream());
    d.createReadWrite(CreateRequest.of(M, I));
    // what a container leaves in its upper dir: a new file, a changed one, a deletion, an
    // emptied (opaque) directory
    Path upper = home.resolve(M + "/diff");
    Files.createDirectories(upper.resolve("etc"));
    Files.writeString(upper.resolve("etc/passwd"), "changed");
    Files.writeString(upper.resolve("created"), "new file");
    new LibcDeviceNodes().characterDevice(upper.resolve("etc/removeme"), 0, 0, 0);
    Files.createDirectories(upper.resolve("d1"));
    new LibcXattrs().set(upper.resolve("d1"), "trusted.overlay.opaque", new byte[] {'y'});
  }

  static byte[] thinJsonOf(InputStream tar) throws IOException {
    try (TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
      TarArchiveEntry e = in.getNextEntry();
      assertThat(e.getName()).isEqualTo("thin.json");
      byte[] json = in.readAllBytes();
      assertThat(in.getNextEntry()).as("only thin.json in the committed layer").isNull();
      return json;
    }
  }

  static Digest tarDigest(Path dir) throws IOException {
    try (InputStream in = new DiffReader(dir, new LibcXattrs(), new LibcSymlinks())) {
      return Digest.of(in.readAllBytes());
    }
  }

  @Test
  void commit_publishesEveryOrdinaryLayerAndAppendsThemToTheDescriptor() throws Exception {
    ClientRepositories repos = new ClientRepositories();
    GraphDriver d = driver(repos, publisher());
    thinImageWithContainer(d);
    long before = revision();

    byte[] json = thinJsonOf(d.diff(M, I));

    ThinImage image = ThinDescriptorReader.read(json, "committed");
    Digest l = tarDigest(home.resolve(L + "/diff"));
    Digest m = tarDigest(home.resolve(M + "/diff"));
    assertThat(image.layers())
        .extracting(x -> x.url().path())
        .as("T's layer, then L, then M, bottom first; the -init layer left out")
        .containsExactly(
            BASE,
            ".layers/" + l.fanOut() + "/" + l.hex() + "/layerfs",
            ".layers/" + m.fanOut() + "/" + m.hex() + "/layerfs");
    assertThat(image.layers().get(2).digest()).isEqualTo(m.hex());
    assertThat(revision()).as("both layers in one revision").isEqualTo(before + 1);
    assertThat(repos.visibilityChecks).isEqualTo(1);

    String mfs = image.layers().get(2).url().path();
    try (RepositoryClient c = client()) {
      assertThat(new String(c.open(mfs + "/etc/passwd").readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("changed");
      assertThat(new String(c.open(mfs + "/created").readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("new file");
      List<String> whiteouts = names(c.list(mfs + "/etc"));
      assertThat(whiteouts).contains(".wh.removeme").doesNotContain("removeme");
      assertThat(names(c.list(mfs + "/d1"))).containsExactly(".wh..wh..opq");
      assertThat(c.lookup(mfs).isNestedRoot() || c.lookup(mfs).isNestedMountpoint()).isTrue();
      String lfs = image.layers().get(1).url().path();
      assertThat(new String(c.open(lfs + "/app/run").readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("run");
      assertThatThrownBy(() -> c.lookup(mfs + "/etc/hostname"))
          .as("the -init layer is never committed")
          .isInstanceOf(NoSuchFileException.class);
    }
  }

  static List<String> names(List<DirectoryEntry> entries) {
    return entries.stream().map(DirectoryEntry::name).toList();
  }

  @Test
  void commitTwice_publishesNothingNewAndReturnsTheSameBytes() throws Exception {
    GraphDriver d = driver(new ClientRepositories(), publisher());
    thinImageWithContainer(d);
    byte[] first = d.diff(M, I).readAllBytes();
    long revision = revision();
    long objects = objectCount();
    byte[] second = d.diff(M, I).readAllBytes();
    assertThat(second).isEqualTo(first);
    assertThat(revision()).isEqualTo(revision);
    assertThat(objectCount()).isEqualTo(objects);
  }

  long objectCount() throws IOException {
    try (Stream<Path> s = Files.walk(storage.resolve(REPO).resolve("data"))) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void thinLayerItself_andLayersWithoutThinAncestor_diffAsOverlay2() throws Exception {
    GraphDriver d = driver(new ClientRepositories(), publisher());
    thinImageWithContainer(d);
    long revision = revision();
    // Diff of the thin layer: its thin.json as stored
    assertThat(new String(thinJsonOf(d.diff(T, "")), StandardCharsets.UTF_8)).contains(BASE);
    // an ordinary chain: a plain diff
    String a = "4".repeat(64);
    String b = "5".repeat(64);
    d.create(CreateRequest.of(a, ""));
    d.applyDiff(a, "", new TestTar().file("x", "x").stream());
    d.create(CreateRequest.of(b, a));
    d.applyDiff(b, a, new TestTar().file("y", "y").stream());
    try (TarArchiveInputStream in = new TarArchiveInputStream(d.diff(b, a))) {
      assertThat(in.getNextEntry().getName()).isEqualTo("y");
    }
    assertThat(revision()).as("nothing published").isEqualTo(revision);
  }

  @Test
  void withoutPublisher_aCommitIsAnOrdinaryLayer() throws Exception {
    GraphDriver d = driver(new ClientRepositories(), CommitPublisher.NONE);
    thinImageWithContainer(d);
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(d.diff(M, I))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        names.add(e.getName());
      }
    }
    assertThat(names).contains("created", "etc/.wh.removeme", "d1/.wh..wh..opq");
    assertThat(names).doesNotContain("thin.json");
  }

  @Test
  void notVisibleInTime_failsTheCommitWithTheReason() throws Exception {
    RepositoryMounts never =
        new RepositoryMounts() {
          @Override
          public boolean isConfigured(String fqrn) {
            return true;
          }

          @Override
          public Path acquire(String fqrn) throws IOException {
            return Files.createDirectories(tmp.resolve("stale-view"));
          }

          @Override
          public void release(String fqrn) {}
        };
    GraphDriver d = new GraphDriver(Host.linux(), never, publisher(), Duration.ofSeconds(1));
    d.init(home, List.of());
    drivers.add(d);
    thinImageWithContainer(d);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> d.diff(M, I))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(REPO)
        .hasMessageContaining("not visible on this host after 1 s");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    assertThat(tmpFiles()).as("no scratch tar left behind").isEmpty();
  }

  List<Path> tmpFiles() throws IOException {
    try (Stream<Path> s = Files.list(home)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
    }
  }

  @Test
  void noRepositoryToPublishInto_failsClearlyAndPublishesNothing() throws Exception {
    LocalCommitPublisher missing =
        new LocalCommitPublisher(tmp.resolve("nowhere"), keys, REPO, Clock.systemUTC());
    GraphDriver d = driver(new ClientRepositories(), missing);
    thinImageWithContainer(d);
    assertThatThrownBy(() -> d.diff(M, I))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no repository " + REPO + " to publish committed layers into");
    assertThat(tmpFiles()).isEmpty();
  }

  @Test
  void tooManyLayers_isRefusedBeforePublishing() throws Exception {
    GraphDriver d = driver(new ClientRepositories(), publisher());
    d.create(CreateRequest.of(T, ""));
    StringBuilder layers = new StringBuilder();
    for (int i = 0; i < ThinImage.MAX_LAYERS; i++) {
      String hex = String.format("%064x", i);
      layers.append(i == 0 ? "" : ",");
      layers.append("{\"digest\":\"").append(hex).append("\",\"url\":\"cvmfs://").append(REPO);
      layers.append("/.layers/").append(hex, 0, 2).append('/').append(hex).append("/layerfs\"}");
    }
    String json = "{\"version\":\"1.0\",\"layers\":[" + layers + "]}";
    d.applyDiff(T, "", new ByteArrayInputStream(new TestTar().file("thin.json", json).bytes()));
    d.createReadWrite(CreateRequest.of(I, T));
    d.createReadWrite(CreateRequest.of(M, I));
    Files.writeString(home.resolve(M + "/diff/new"), "x");
    long revision = revision();
    assertThatThrownBy(() -> d.diff(M, I))
        .hasMessageContaining("more than a thin image can stack (127)");
    assertThat(revision()).isEqualTo(revision);
  }
}
