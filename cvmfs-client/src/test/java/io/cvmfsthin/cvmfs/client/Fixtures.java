package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.SharedFixtures;
import io.cvmfsthin.cvmfs.fetch.FetchSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

/** The shared fixture repositories, read in place, and settings that fit them. */
final class Fixtures {
  static final Path ROOT = SharedFixtures.realRepo();
  static final String FQRN = "fixture.example.org";
  static final String SHAKE = "fixture-shake.example.org";

  /** Inside the whitelists' validity. */
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);

  /** Fast failover for tests: short timeouts, one retry after at most 20 ms. */
  static final FetchSettings FAST =
      new FetchSettings(
          Duration.ofSeconds(2),
          Duration.ofSeconds(2),
          1,
          Duration.ofMillis(10),
          Duration.ofMillis(20));

  private Fixtures() {}

  static Path key(String fqrn) {
    return ROOT.resolve("keys").resolve(fqrn + ".pub");
  }

  static Path repo(String fqrn) {
    return ROOT.resolve("cvmfs").resolve(fqrn);
  }

  static ClientSettings.Builder settings(String fqrn, String urls, Path cache) throws IOException {
    return ClientSettings.builder(fqrn)
        .serverUrls(urls)
        .masterKeys(key(fqrn))
        .cacheDir(cache)
        .fetch(FAST)
        .clock(CLOCK);
  }

  /** Every regular file below {@code dir}, relative. */
  static List<Path> files(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }

  /**
   * The cached file of an object, if any: the cache names it {@code <objectPath>.<crc32c>} (see
   * {@link io.cvmfsthin.cvmfs.cache.ObjectCache}).
   */
  static java.util.Optional<Path> cached(
      Path cache,
      io.cvmfsthin.cvmfs.object.ContentHash hash,
      io.cvmfsthin.cvmfs.object.ObjectType type)
      throws IOException {
    Path key = cache.resolve(hash.objectPath(type));
    if (!Files.isDirectory(key.getParent())) {
      return java.util.Optional.empty();
    }
    String name = key.getFileName().toString();
    try (Stream<Path> s = Files.list(key.getParent())) {
      return s.filter(
              p ->
                  p.getFileName()
                      .toString()
                      .matches(java.util.regex.Pattern.quote(name) + "\\.[0-9a-f]{8}"))
          .findFirst();
    }
  }

  /** Copies a fixture repository (writable) to {@code target}, for tampering. */
  static Path copyRepo(String fqrn, Path target) throws IOException {
    Path src = repo(fqrn);
    Path dst = target.resolve("cvmfs").resolve(fqrn);
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : s.toList()) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
          t.toFile().setWritable(true);
        }
      }
    }
    return dst;
  }
}
