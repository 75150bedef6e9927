package io.cvmfsthin.cvmfs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.fetch.FetchException;
import io.cvmfsthin.cvmfs.fetch.FetchSettings;
import io.cvmfsthin.cvmfs.manifest.TrustException;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input, each refused with an error naming the file and the reason, and nothing of it left in
 * the cache; and the failovers that turn a bad server into a working read.
 */
class BadInputIT {
  static final String FQRN = Fixtures.FQRN;

  /** Root catalogs of revisions 3 (tag rev1) and 5 (HEAD) of fixture.example.org. */
  static final ContentHash ROOT_REV3 =
      ContentHash.parse("c4d6e41b47eb8c9226233ae2296ad19ec84591c5");

  static final ContentHash ROOT_REV5 =
      ContentHash.parse("b63841d8c17c3c03995c08352d8500ad66357651");

  /** /README.txt at HEAD: 69 bytes. */
  static final ContentHash README = ContentHash.parse("fc3945a273fbff5c2825d3bc34e5ed1958644892");

  static final String README_SHA256 =
      "0ea7b2adeffce295e9af9508c0fcf74a1e6f3e8d6b6b0bae5e49f77c6ddaad6b";

  static TestStratum fixture;

  @BeforeAll
  static void serve() throws Exception {
    fixture = TestStratum.serve(Fixtures.ROOT);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  static void assertCacheEmpty(Path cache) throws Exception {
    assertThat(Fixtures.files(cache.resolve("data"))).as("objects in the cache").isEmpty();
    assertThat(Fixtures.files(cache.resolve("txn"))).as("partial downloads").isEmpty();
  }

  static void assertNotCached(Path cache, ContentHash hash, ObjectType type) throws Exception {
    assertThat(Fixtures.cached(cache, hash, type)).isEmpty();
    assertThat(Fixtures.files(cache.resolve("txn"))).as("partial downloads").isEmpty();
  }

  static String sha256(InputStream in) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
  }

  @Nested
  class TrustChain {
    @Test
    void whitelistSignedByAnotherMasterKey_isRefused(@TempDir Path cache) throws Exception {
      ClientSettings s =
          Fixtures.settings(FQRN, fixture.url(FQRN), cache)
              .masterKeys(Fixtures.key(Fixtures.SHAKE))
              .build();
      assertThatThrownBy(() -> RepositoryClient.open(s))
          .isInstanceOf(TrustException.class)
          .hasMessageContaining(".cvmfswhitelist: signature does not verify");
      assertCacheEmpty(cache);
    }

    @Test
    void manifestSignedByAnotherKey_isRefused(@TempDir Path tmp) throws Exception {
      Path repo = Fixtures.copyRepo(FQRN, tmp.resolve("srv"));
      TestSigner signer = TestSigner.forRepo(repo, FQRN);
      signer.writeWhitelist();
      signer.writeManifest(
          signer.manifest(ROOT_REV5, 5, 1795752600L), TestSigner.rsa().getPrivate());
      Path cache = tmp.resolve("cache");
      try (TestStratum srv = TestStratum.serve(tmp.resolve("srv"))) {
        ClientSettings s =
            Fixtures.settings(FQRN, srv.url(FQRN), cache)
                .masterKeys(signer.writeMasterKey(tmp.resolve("keys")))
                .build();
        assertThatThrownBy(() -> RepositoryClient.open(s))
            .isInstanceOf(TrustException.class)
            .hasMessageContaining(".cvmfspublished: signature does not verify with certificate");
      }
      assertCacheEmpty(cache);
    }

    @Test
    void blacklistedCertificate_isRefused(@TempDir Path tmp) throws Exception {
      Path blacklist = tmp.resolve("blacklist");
      Files.writeString(
          blacklist,
          "<fixture.example.org 2\n"
              + "9F:EB:7C:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00\n"
              + io.cvmfsthin.cvmfs.manifest.Signatures.fingerprint(
                      io.cvmfsthin.cvmfs.manifest.KeyFiles.parseCertificate(
                          "crt",
                          Files.readAllBytes(Fixtures.ROOT.resolve("keys/" + FQRN + ".crt"))),
                      HashAlgorithm.SHA1)
                  .toFingerprint()
              + "\n");
      ClientSettings s =
          ClientSettings.fromConfig(
                  FQRN,
                  java.util.Map.of(
                      "CVMFS_SERVER_URL", fixture.url("@fqrn@"),
                      "CVMFS_PUBLIC_KEY", Fixtures.key(FQRN).toString(),
                      "CVMFS_BLACKLIST", blacklist.toString()))
              .cacheDir(tmp.resolve("cache"))
              .clock(Fixtures.CLOCK)
              .fetch(Fixtures.FAST)
              .build();
      assertThat(s.blacklist()).hasSize(2);
      assertThatThrownBy(() -> RepositoryClient.open(s))
          .isInstanceOf(TrustException.class)
          .hasMessageContaining("is blacklisted");
      assertCacheEmpty(tmp.resolve("cache"));
    }

    @Test
    void expiredWhitelist_isRefused(@TempDir Path cache) throws Exception {
      ClientSettings s =
          Fixtures.settings(FQRN, fixture.url(FQRN), cache)
              .clock(Clock.fixed(Instant.parse("2036-11-24T04:00:00Z"), ZoneOffset.UTC))
              .build();
      assertThatThrownBy(() -> RepositoryClient.open(s))
          .isInstanceOf(TrustException.class)
          .hasMessageContaining(".cvmfswhitelist: expired at 2036-11-24T04:00:00Z");
      assertCacheEmpty(cache);
    }

    @Test
    void certificateNotInWhitelist_isRefused(@TempDir Path tmp) throws Exception {
      Path repo = Fixtures.copyRepo(FQRN, tmp.resolve("srv"));
      TestSigner signer = TestSigner.forRepo(repo, FQRN);
      signer.writeWhitelist(
          Fixtures.CLOCK.instant(),
          30,
          List.of(HashAlgorithm.SHA1.hash("another certificate".getBytes(StandardCharsets.UTF_8))));
      signer.writeManifest(signer.manifest(ROOT_REV5, 5, 1795752600L));
      Path cache = tmp.resolve("cache");
      try (TestStratum srv = TestStratum.serve(tmp.resolve("srv"))) {
        ClientSettings s =
            Fixtures.settings(FQRN, srv.url(FQRN), cache)
                .masterKeys(signer.writeMasterKey(tmp.resolve("keys")))
                .build();
        assertThatThrownBy(() -> RepositoryClient.open(s))
            .isInstanceOf(TrustException.class)
            .hasMessageContaining(".cvmfswhitelist: the manifest's certificate is not listed");
      }
      assertCacheEmpty(cache);
    }

    @Test
    void olderRevision_isRefused_newerIsPickedUpAfterTheTtl(@TempDir Path tmp) throws Exception {
      Path repo = Fixtures.copyRepo(FQRN, tmp.resolve("srv"));
      TestSigner signer = TestSigner.forRepo(repo, FQRN);
      signer.writeWhitelist();
      signer.writeManifest(signer.manifest(ROOT_REV3, 3, 1795752500L));
      MutableClock clock = new MutableClock(Fixtures.CLOCK.instant());
      try (TestStratum srv = TestStratum.serve(tmp.resolve("srv"));
          RepositoryClient client =
              RepositoryClient.open(
                  Fixtures.settings(FQRN, srv.url(FQRN), tmp.resolve("cache"))
                      .masterKeys(signer.writeMasterKey(tmp.resolve("keys")))
                      .clock(clock)
                      .build())) {
        assertThat(client.lookup("/README.txt").sizeBytes()).isEqualTo(83);

        signer.writeManifest(signer.manifest(ROOT_REV5, 5, 1795752600L));
        int fetched = srv.requests(".cvmfspublished");
        assertThat(client.refresh()).as("within the TTL").isFalse();
        assertThat(srv.requests(".cvmfspublished")).isEqualTo(fetched);

        clock.advance(Duration.ofSeconds(241));
        assertThat(client.refresh()).isTrue();
        assertThat(client.revision()).isEqualTo(5);
        assertThat(client.lookup("/README.txt").sizeBytes()).isEqualTo(69);

        signer.writeManifest(signer.manifest(ROOT_REV3, 3, 1795752700L));
        clock.advance(Duration.ofSeconds(241));
        assertThatThrownBy(client::refresh)
            .isInstanceOf(TrustException.class)
            .hasMessageContaining(".cvmfspublished")
            .hasMessageContaining("revision 3 is not newer than the current revision 5");
        assertThat(client.revision()).isEqualTo(5);
        try (InputStream in = client.open("/README.txt")) {
          assertThat(sha256(in)).isEqualTo(README_SHA256);
        }
      }
    }

    @Test
    void olderManifest_afterARestart_isRefused(@TempDir Path tmp) throws Exception {
      Path repo = Fixtures.copyRepo(FQRN, tmp.resolve("srv"));
      TestSigner signer = TestSigner.forRepo(repo, FQRN);
      signer.writeWhitelist();
      signer.writeManifest(signer.manifest(ROOT_REV5, 5, 1795752600L));
      Path cache = tmp.resolve("cache");
      try (TestStratum srv = TestStratum.serve(tmp.resolve("srv"))) {
        ClientSettings s =
            Fixtures.settings(FQRN, srv.url(FQRN), cache)
                .masterKeys(signer.writeMasterKey(tmp.resolve("keys")))
                .build();
        try (RepositoryClient client = RepositoryClient.open(s)) {
          assertThat(client.revision()).isEqualTo(5);
        }
        assertThat(cache.resolve("cvmfschecksum." + FQRN)).hasContent(ROOT_REV5 + "T1795752600R5");
        signer.writeManifest(signer.manifest(ROOT_REV3, 3, 1795752500L)); // replayed, older
        assertThatThrownBy(() -> RepositoryClient.open(s))
            .isInstanceOf(TrustException.class)
            .hasMessageContaining(".cvmfspublished from " + srv.url(FQRN))
            .hasMessageContaining("is older than revision 5 published at 1795752600");
      }
    }
  }

  @Nested
  class Content {
    @Test
    void tamperedCatalog_isRefused(@TempDir Path tmp) throws Exception {
      Path repo = Fixtures.copyRepo(FQRN, tmp.resolve("srv"));
      Path catalog = repo.resolve(ROOT_REV5.objectPath(ObjectType.CATALOG));
      byte[] bytes = Files.readAllBytes(catalog);
      bytes[bytes.length / 2] ^= 1;
      Files.write(catalog, bytes);
      Path cache = tmp.resolve("cache");
      try (TestStratum srv = TestStratum.serve(tmp.resolve("srv"))) {
        assertThatThrownBy(
                () -> RepositoryClient.open(Fixtures.settings(FQRN, srv.url(FQRN), cache).build()))
            .isInstanceOf(FetchException.class)
            .hasMessageContaining("catalog " + ROOT_REV5 + "C")
            .hasMessageContaining("content hash mismatch");
      }
      assertCacheEmpty(cache);
    }

    @Test
    void objectNotMatchingItsName_isFetchedFromTheNextServer(@TempDir Path cache) throws Exception {
      try (TestStratum bad = TestStratum.serve(Fixtures.ROOT)) {
        bad.fault(
            README.objectPath(ObjectType.FILE),
            TestStratum.Fault.body(Zlib.compress("evil content".getBytes(StandardCharsets.UTF_8))));
        ClientSettings s =
            Fixtures.settings(FQRN, bad.url(FQRN) + ";" + fixture.url(FQRN), cache).build();
        try (RepositoryClient client = RepositoryClient.open(s)) {
          try (InputStream in = client.open("/README.txt")) {
            assertThat(sha256(in)).isEqualTo(README_SHA256);
          }
          assertThat(bad.requests(README.objectPath(ObjectType.FILE))).isEqualTo(1);
          assertThat(client.currentServer()).isEqualTo(fixture.url(FQRN));
        }
      }
      assertThat(Fixtures.cached(cache, README, ObjectType.FILE)).isPresent();
      assertThat(Fixtures.files(cache.resolve("txn"))).isEmpty();
    }

    @Test
    void objectNotMatchingItsName_withOneServer_isRefused(@TempDir Path cache) throws Exception {
      try (TestStratum bad = TestStratum.serve(Fixtures.ROOT);
          RepositoryClient client =
              RepositoryClient.open(Fixtures.settings(FQRN, bad.url(FQRN), cache).build())) {
        bad.fault(
            README.objectPath(ObjectType.FILE),
            TestStratum.Fault.body(Zlib.compress("evil".getBytes(StandardCharsets.UTF_8))));
        assertThatThrownBy(() -> client.open("/README.txt").close())
            .isInstanceOf(FetchException.class)
            .hasMessageContaining("/README.txt from http://")
            .hasMessageContaining("content hash mismatch, expected " + README);
      }
      assertNotCached(cache, README, ObjectType.FILE);
    }

    @Test
    void zlibBomb_isStoppedAtTheCatalogSize(@TempDir Path cache) throws Exception {
      byte[] bomb = Zlib.compress(new byte[50 * 1024 * 1024]); // 50 MiB of zeros in ~50 KiB
      try (TestStratum bad = TestStratum.serve(Fixtures.ROOT);
          RepositoryClient client =
              RepositoryClient.open(Fixtures.settings(FQRN, bad.url(FQRN), cache).build())) {
        bad.fault(README.objectPath(ObjectType.FILE), TestStratum.Fault.body(bomb));
        assertThatThrownBy(() -> client.open("/README.txt").close())
            .isInstanceOf(FetchException.class)
            .hasMessageContaining("/README.txt from http://")
            .hasMessageContaining("more than 69 bytes (inflated)");
      }
      assertNotCached(cache, README, ObjectType.FILE);
    }

    @Test
    void truncatedBody_isRetriedThenRefused(@TempDir Path cache) throws Exception {
      try (TestStratum bad = TestStratum.serve(Fixtures.ROOT);
          RepositoryClient client =
              RepositoryClient.open(Fixtures.settings(FQRN, bad.url(FQRN), cache).build())) {
        bad.fault(README.objectPath(ObjectType.FILE), TestStratum.Fault.truncate(20));
        assertThatThrownBy(() -> client.open("/README.txt").close())
            .isInstanceOf(FetchException.class)
            .hasMessageContaining(README.objectPath(ObjectType.FILE))
            .hasMessageContaining("truncated body: 20 of");
        assertThat(bad.requests(README.objectPath(ObjectType.FILE))).isEqualTo(2); // 1 retry
      }
      assertNotCached(cache, README, ObjectType.FILE);
    }
  }

  @Nested
  class Servers {
    @Test
    void serverDown_failsOverToTheSecond(@TempDir Path cache) throws Exception {
      int closedPort;
      try (ServerSocket s = new ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }
      String down = "http://127.0.0.1:" + closedPort + "/cvmfs/@fqrn@";
      try (RepositoryClient client =
          RepositoryClient.open(
              Fixtures.settings(FQRN, down + ";" + fixture.url("@fqrn@"), cache).build())) {
        assertThat(client.currentServer()).isEqualTo(fixture.url(FQRN));
        try (InputStream in = client.open("/README.txt")) {
          assertThat(sha256(in)).isEqualTo(README_SHA256);
        }
      }
    }

    @Test
    void serverThatHangs_timesOut_andTheNextIsUsed(@TempDir Path cache) throws Exception {
      try (TestStratum slow = TestStratum.serve(Fixtures.ROOT)) {
        slow.fault(".cvmfspublished", TestStratum.Fault.delay(3000));
        FetchSettings quick =
            new FetchSettings(
                Duration.ofSeconds(1),
                Duration.ofMillis(300),
                1,
                Duration.ofMillis(10),
                Duration.ofMillis(20));
        try (RepositoryClient client =
            RepositoryClient.open(
                Fixtures.settings(FQRN, slow.url(FQRN) + ";" + fixture.url(FQRN), cache)
                    .fetch(quick)
                    .build())) {
          assertThat(client.currentServer()).isEqualTo(fixture.url(FQRN));
          assertThat(slow.requests(".cvmfspublished")).isEqualTo(2); // tried, retried, left
        }
      }
    }

    @Test
    void everyServerDown_namesEachOne(@TempDir Path cache) throws Exception {
      int closedPort;
      try (ServerSocket s = new ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }
      String down = "http://127.0.0.1:" + closedPort + "/cvmfs/@fqrn@";
      assertThatThrownBy(() -> RepositoryClient.open(Fixtures.settings(FQRN, down, cache).build()))
          .isInstanceOf(FetchException.class)
          .hasMessageContaining(".cvmfspublished: http://127.0.0.1:" + closedPort)
          .hasMessageContaining("cannot connect");
      assertCacheEmpty(cache);
    }

    @Test
    void htmlErrorPageWithStatus200_isBadContent_theNextServerIsUsed(@TempDir Path cache)
        throws Exception {
      byte[] html =
          "<html><body><h1>Service unavailable</h1></body></html>\n"
              .getBytes(StandardCharsets.UTF_8);
      try (TestStratum bad = TestStratum.serve(Fixtures.ROOT)) {
        bad.fault(".cvmfspublished", TestStratum.Fault.body(html));
        try (RepositoryClient client =
            RepositoryClient.open(
                Fixtures.settings(FQRN, bad.url(FQRN) + ";" + fixture.url(FQRN), cache).build())) {
          assertThat(client.revision()).isEqualTo(5);
        }
        Path alone = cache.resolveSibling(cache.getFileName() + "-alone");
        assertThatThrownBy(
                () -> RepositoryClient.open(Fixtures.settings(FQRN, bad.url(FQRN), alone).build()))
            .isInstanceOf(FetchException.class)
            .hasMessageContaining(".cvmfspublished: no '--' line");
        assertCacheEmpty(alone);
      }
    }

    @Test
    void httpErrorStatus_failsOver(@TempDir Path cache) throws Exception {
      try (TestStratum bad = TestStratum.serve(Fixtures.ROOT)) {
        bad.fault("C", TestStratum.Fault.status(503, "busy"));
        try (RepositoryClient client =
            RepositoryClient.open(
                Fixtures.settings(FQRN, bad.url(FQRN) + ";" + fixture.url(FQRN), cache).build())) {
          assertThat(client.list("/nested")).isNotEmpty();
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc", "a/b.org", "..", "fixture..example.org", "x", "/abs.org", ""})
  void badRepositoryName_isRefused(String name) {
    assertThatThrownBy(() -> ClientSettings.builder(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("repository name '" + name + "' is invalid");
  }
}
