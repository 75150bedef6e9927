package io.cvmfsthin.cvmfs.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.SharedFixtures;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec §12.4 vectors, and the trust chain of the repositories the stock tools wrote. */
class TrustChainTest {
  static final Path FIXTURE = SharedFixtures.realRepo();

  @Test
  void manifestBody_hashesAsTheSpecVector() throws Exception {
    String body =
        "C2811d5bf7fca6a3a83dbcfd0968bee5ac070b6c0\nB28672\nRd41d8cd98f00b204e9800998ecf8427e\n"
            + "D240\nS1\nGno\nAno\nNtest.example.org\n"
            + "Xe8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78\nT1700000000\n";
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    assertThat(bytes).hasSize(171);
    assertThat(SignedDocument.hashLineOf(bytes, HashAlgorithm.SHA1))
        .isEqualTo("3f6d4dc0f0885536cc0593c6d2893e829dd19e9a");
    Manifest m = Manifest.parse(bytes);
    assertThat(m.revision()).isEqualTo(1);
    assertThat(m.fqrn()).isEqualTo("test.example.org");
    assertThat(m.toBody()).isEqualTo(bytes);
  }

  @Test
  void whitelistBody_hashesAndExpiresAsTheSpecVector() throws Exception {
    String body =
        "20240101120000\nE20240131120000\nNtest.example.org\n"
            + "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67\n";
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    assertThat(bytes).hasSize(109);
    assertThat(SignedDocument.hashLineOf(bytes, HashAlgorithm.SHA1))
        .isEqualTo("d0fe75fb630c346f53432e8b1b32af07b3d72052");
    Whitelist w = Whitelist.parse(bytes);
    assertThat(w.expires()).isEqualTo(Instant.parse("2024-01-31T12:00:00Z"));
    assertThat(w.isValidAt(Instant.parse("2024-01-31T11:59:59Z"))).isTrue();
    assertThat(w.isValidAt(Instant.parse("2024-01-31T12:00:00Z"))).isFalse();
    assertThat(w.toBody()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixture.example.org", "fixture-shake.example.org"})
  void realRepository_verifies(String fqrn) throws Exception {
    TrustChain chain = chain(fqrn, Instant.parse("2026-11-27T12:00:00Z"));
    Path repo = FIXTURE.resolve("cvmfs").resolve(fqrn);
    TrustChain.SignedManifest sm =
        chain.parseManifest(Files.readAllBytes(repo.resolve(".cvmfspublished")));
    Manifest m =
        chain.verify(
            sm, Files.readAllBytes(repo.resolve(".cvmfswhitelist")), certificate(repo, sm));
    assertThat(m.fqrn()).isEqualTo(fqrn);
    assertThat(m.revision()).isGreaterThan(1);
  }

  @Test
  void realRepository_afterExpiry_isRefused() throws Exception {
    String fqrn = "fixture.example.org";
    TrustChain chain = chain(fqrn, Instant.parse("2036-11-24T04:00:00Z"));
    Path repo = FIXTURE.resolve("cvmfs").resolve(fqrn);
    TrustChain.SignedManifest sm =
        chain.parseManifest(Files.readAllBytes(repo.resolve(".cvmfspublished")));
    assertThatThrownBy(
            () ->
                chain.verify(
                    sm, Files.readAllBytes(repo.resolve(".cvmfswhitelist")), certificate(repo, sm)))
        .isInstanceOf(TrustException.class)
        .hasMessageContaining(".cvmfswhitelist: expired");
  }

  @Test
  void otherRepositorysKey_isRefused() throws Exception {
    TrustChain chain =
        new TrustChain(
            "fixture.example.org",
            KeyFiles.loadPublicKeys(FIXTURE.resolve("keys/fixture-shake.example.org.pub")),
            Set.of(),
            Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC));
    Path repo = FIXTURE.resolve("cvmfs/fixture.example.org");
    TrustChain.SignedManifest sm =
        chain.parseManifest(Files.readAllBytes(repo.resolve(".cvmfspublished")));
    assertThatThrownBy(
            () ->
                chain.verify(
                    sm, Files.readAllBytes(repo.resolve(".cvmfswhitelist")), certificate(repo, sm)))
        .hasMessageContaining(".cvmfswhitelist: signature does not verify");
  }

  static TrustChain chain(String fqrn, Instant now) throws Exception {
    return new TrustChain(
        fqrn,
        KeyFiles.loadPublicKeys(FIXTURE.resolve("keys").resolve(fqrn + ".pub")),
        Set.of(),
        Clock.fixed(now, ZoneOffset.UTC));
  }

  static byte[] certificate(Path repo, TrustChain.SignedManifest sm) throws Exception {
    ContentHash x = sm.manifest().certificate();
    byte[] stored = Files.readAllBytes(repo.resolve(x.objectPath(ObjectType.CERTIFICATE)));
    assertThat(x.algorithm().hash(stored)).isEqualTo(x);
    return Zlib.inflate(stored, 1 << 20);
  }
}
