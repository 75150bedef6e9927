package io.cvmfsthin.cvmfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.ObjectType;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proxies, file:// repositories, CVMFS configuration and concurrency, against the fixture. */
class ClientIT {
  static final String FQRN = Fixtures.FQRN;

  /** /data/random-hex-1.5MiB.txt: 14 chunks. */
  static final String BIG = "/data/random-hex-1.5MiB.txt";

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void concurrentReadsOfOneFile_fetchEachObjectOnce(@TempDir Path cache) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (TestStratum srv = TestStratum.serve(Fixtures.ROOT);
        RepositoryClient client =
            RepositoryClient.open(Fixtures.settings(FQRN, srv.url(FQRN), cache).build())) {
      srv.fault("P", TestStratum.Fault.delay(100)); // widen the race on every chunk
      List<Future<byte[]>> reads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        reads.add(
            pool.submit(
                () -> {
                  try (InputStream in = client.open(BIG)) {
                    return in.readAllBytes();
                  }
                }));
      }
      byte[] first = reads.get(0).get(60, TimeUnit.SECONDS);
      assertThat(first).hasSize(1572864);
      for (Future<byte[]> f : reads) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(first);
      }
      for (var chunk : client.chunks(BIG)) {
        assertThat(srv.requests(chunk.hash().objectPath(ObjectType.PARTIAL)))
            .as("requests for chunk at %d", chunk.offset())
            .isLessThanOrEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void proxyGroups_skipADeadProxy_andReachTheServerThroughTheNext(@TempDir Path cache)
      throws Exception {
    // The test stratum answers proxy requests (absolute URIs) from its directory, so it can play
    // the proxy for a server name that does not resolve.
    try (TestStratum proxy = TestStratum.serve(Fixtures.ROOT);
        RepositoryClient client =
            RepositoryClient.open(
                Fixtures.settings(FQRN, "http://stratum-one.invalid/cvmfs/@fqrn@", cache)
                    .proxies(
                        "http://127.0.0.1:"
                            + closedPort()
                            + ";127.0.0.1:"
                            + proxy.port()
                            + "|127.0.0.1:"
                            + proxy.port())
                    .build())) {
      assertThat(client.lookup("/README.txt").sizeBytes()).isEqualTo(69);
      assertThat(proxy.requests(".cvmfspublished")).isEqualTo(1);
    }
  }

  @Test
  void staleProxyCopy_isAskedForAgainWithNoCache(@TempDir Path cache) throws Exception {
    ContentHash readme = ContentHash.parse("fc3945a273fbff5c2825d3bc34e5ed1958644892");
    String object = readme.objectPath(ObjectType.FILE);
    try (TestStratum proxy = TestStratum.serve(Fixtures.ROOT);
        RepositoryClient client =
            RepositoryClient.open(
                Fixtures.settings(FQRN, "http://stratum-one.invalid/cvmfs/@fqrn@", cache)
                    .proxies("127.0.0.1:" + proxy.port())
                    .build())) {
      proxy.fault(
          object,
          TestStratum.Fault.staleCopy(
              io.cvmfsthin.cvmfs.object.Zlib.compress(
                  "stale".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      try (InputStream in = client.open("/README.txt")) {
        assertThat(in.readAllBytes()).hasSize(69);
      }
      assertThat(proxy.requests(object)).isEqualTo(2);
    }
  }

  @Test
  void fileUrl_readsALocalRepository(@TempDir Path cache) throws Exception {
    String url = Fixtures.ROOT.toAbsolutePath().normalize().toUri() + "cvmfs/@fqrn@";
    try (RepositoryClient client =
        RepositoryClient.open(Fixtures.settings(Fixtures.SHAKE, url, cache).build())) {
      assertThat(client.revision()).isEqualTo(2);
      try (InputStream in = client.open("/data/random-600KiB.bin")) {
        assertThat(in.readAllBytes()).hasSize(614400);
      }
      assertThat(client.list("/sub")).extracting(e -> e.name()).contains("file.txt");
    }
  }

  @Test
  void cvmfsConfiguration_asASiteWritesIt(@TempDir Path tmp) throws Exception {
    try (TestStratum srv = TestStratum.serve(Fixtures.ROOT)) {
      Path etc = tmp.resolve("etc");
      Path keys = tmp.resolve("keys");
      Files.createDirectories(keys);
      Files.copy(Fixtures.key(FQRN), keys.resolve(FQRN + ".pub"));
      Files.createDirectories(etc.resolve("domain.d"));
      Files.writeString(
          etc.resolve("default.conf"),
          "CVMFS_HTTP_PROXY=DIRECT\nCVMFS_QUOTA_LIMIT=100\nCVMFS_CACHE_BASE=" + tmp + "/cache\n");
      Files.writeString(
          etc.resolve("domain.d/example.org.conf"),
          "CVMFS_SERVER_URL=\""
              + srv.url("@fqrn@")
              + "\"\nCVMFS_KEYS_DIR="
              + keys
              + "\nCVMFS_REPOSITORY_TAG=rev1\n");
      Map<String, String> config = io.cvmfsthin.cvmfs.config.ConfigFiles.load(etc, FQRN);
      ClientSettings s = ClientSettings.fromConfig(FQRN, config).clock(Fixtures.CLOCK).build();
      assertThat(s.quotaBytes()).isEqualTo(100L * 1024 * 1024);
      assertThat(s.cacheDir()).isEqualTo(tmp.resolve("cache").resolve("cvmfs-thin"));
      try (RepositoryClient client = RepositoryClient.open(s)) {
        assertThat(client.tag().name()).isEqualTo("rev1");
        assertThat(client.revision()).isEqualTo(3);
        assertThat(client.lookup("/README.txt").sizeBytes()).isEqualTo(83);
        assertThat(client.refresh()).as("a tag is pinned").isFalse();
      }
      ContentHash root = ContentHash.parse("c4d6e41b47eb8c9226233ae2296ad19ec84591c5");
      assertThat(Fixtures.cached(s.cacheDir(), root, ObjectType.CATALOG)).isPresent();
    }
  }

  @Test
  void restartedClient_readsFromTheCache(@TempDir Path cache) throws Exception {
    try (TestStratum srv = TestStratum.serve(Fixtures.ROOT)) {
      try (RepositoryClient client =
          RepositoryClient.open(Fixtures.settings(FQRN, srv.url(FQRN), cache).build())) {
        client.open(BIG).close();
        try (InputStream in = client.open(BIG)) {
          in.readAllBytes();
        }
      }
      int before = srv.requests("P");
      try (RepositoryClient client =
          RepositoryClient.open(Fixtures.settings(FQRN, srv.url(FQRN), cache).build())) {
        try (InputStream in = client.open(BIG)) {
          assertThat(in.readAllBytes()).hasSize(1572864);
        }
      }
      assertThat(srv.requests("P")).isEqualTo(before);
    }
  }
}
