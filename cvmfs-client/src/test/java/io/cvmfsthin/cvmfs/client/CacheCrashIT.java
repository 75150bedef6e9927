package io.cvmfsthin.cvmfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.TestRepos;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object cache writes without an fsync per object: a child JVM filling the cache is killed with
 * SIGKILL at random moments, and power loss is simulated by damaging cached objects (catalogs too)
 * after an unclean stop; a new client then serves every file identical to what was published
 * (hash-checked), fetching damaged objects again.
 */
class CacheCrashIT {
  static final String FQRN = "cachecrash.example.org";

  @TempDir Path tmp;
  Path keys;
  Path cache;
  final Map<String, String> expected = new HashMap<>(); // path -> SHA-1 of the content

  @BeforeEach
  void publish() throws Exception {
    keys = tmp.resolve("keys");
    cache = tmp.resolve("cache");
    RepositoryPublisher publisher = TestRepos.create(tmp.resolve("cvmfs"), keys, FQRN);
    Random random = new Random(11);
    byte[] big = new byte[6 * 1024 * 1024];
    random.nextBytes(big);
    TestRepos.Tar tar = new TestRepos.Tar().file("big.bin", big);
    expected.put("/big.bin", sha1(big));
    for (int i = 0; i < 1500; i++) {
      byte[] b = new byte[2000 + random.nextInt(30_000)];
      random.nextBytes(b);
      String name = String.format("many/f%04d", i);
      tar.file(name, b);
      expected.put("/" + name, sha1(b));
    }
    tar.file("many/nested/.cvmfscatalog", "");
    tar.file("many/nested/inside", "inside");
    expected.put("/many/nested/inside", sha1("inside".getBytes()));
    publisher.publish(Publication.tar("/", tar.stream()));
  }

  static String sha1(byte[] b) {
    return HashAlgorithm.SHA1.hash(b).toString();
  }

  RepositoryClient client(TestStratum srv) throws IOException {
    return RepositoryClient.open(
        ClientSettings.builder(FQRN)
            .serverUrls(srv.url(FQRN))
            .masterKeys(keys.resolve(FQRN + ".pub"))
            .cacheDir(cache)
            .build());
  }

  Process child(TestStratum srv) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            CacheReaderChild.class.getName(),
            srv.url(FQRN),
            keys.resolve(FQRN + ".pub").toString(),
            cache.toString(),
            FQRN)
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child-" + System.nanoTime() + ".log").toFile())
        .start();
  }

  void assertEveryFileReadsBackIdentical(RepositoryClient c) throws IOException {
    for (Map.Entry<String, String> e : expected.entrySet()) {
      try (InputStream in = c.open(e.getKey())) {
        assertThat(sha1(in.readAllBytes())).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  int objectCount() throws IOException {
    return Files.isDirectory(cache.resolve("data")) ? cachedObjects().size() : 0;
  }

  List<Path> cachedObjects() throws IOException {
    try (Stream<Path> s = Files.walk(cache.resolve("data"))) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void sigkillWhileFillingTheCache_thenEveryFileReadsBackIdentical() throws Exception {
    Random random = new Random(5);
    try (TestStratum srv = TestStratum.serve(tmp)) {
      for (int round = 0; round < 5; round++) {
        Process p = child(srv);
        int before = objectCount();
        for (int wait = 0; wait < 1200 && objectCount() < before + 10; wait++) {
          Thread.sleep(50); // the child's JVM starts, opens the repository and begins to write
        }
        Thread.sleep(random.nextInt(1500));
        p.destroyForcibly(); // SIGKILL
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cache.resolve("dirty")).exists();
      }
      assertThat(cachedObjects()).as("the children wrote objects").hasSizeGreaterThan(20);
      try (RepositoryClient c = client(srv)) {
        assertEveryFileReadsBackIdentical(c);
      }
      assertThat(cache.resolve("dirty")).as("every object checked, closed cleanly").doesNotExist();
      try (RepositoryClient c = client(srv)) {
        srv.resetCounts();
        assertEveryFileReadsBackIdentical(c);
        assertThat(srv.requestsContaining("/data/")).as("all from the cache").isZero();
      }
    }
  }

  /** After an unclean stop a power loss may leave renamed files short, zeroed or garbage. */
  @Test
  void damagedObjectsAfterAnUncleanStop_areFetchedAgain_catalogsToo() throws Exception {
    try (TestStratum srv = TestStratum.serve(tmp)) {
      RepositoryClient crashed = client(srv); // never closed: the process "died"
      assertEveryFileReadsBackIdentical(crashed);
      List<Path> objects = cachedObjects();
      int damaged = 0;
      for (int i = 0; i < objects.size(); i++) {
        Path o = objects.get(i);
        String name = o.getFileName().toString();
        boolean catalog = name.contains("C.");
        if (!catalog && i % 7 != 0) {
          continue;
        }
        damaged++;
        switch (damaged % 4) {
          case 0 -> Files.write(o, new byte[0]); // empty
          case 1 -> Files.write(o, new byte[(int) Files.size(o)]); // zeroed, same size
          case 2 -> flip(o, Files.size(o) / 2); // garbage
          default -> truncate(o, Files.size(o) / 3); // short
        }
      }
      assertThat(damaged).isGreaterThan(100);
      srv.resetCounts();
      try (RepositoryClient c = client(srv)) {
        assertEveryFileReadsBackIdentical(c);
      }
      // the damaged objects, and the certificate (the trust chain is checked at every open)
      assertThat(srv.requestsContaining("/data/"))
          .as("each damaged object fetched again")
          .isEqualTo(damaged + 1);
      assertThat(cache.resolve("dirty")).doesNotExist();
    }
  }

  static void flip(Path file, long at) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 1));
      b.rewind();
      ch.write(b, at);
    }
  }

  static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }
}
