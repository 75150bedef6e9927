package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.thinimage.image.Platform;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.registry.DockerConfig;
import io.cvmfsthin.thinimage.registry.RegistryClient;
import io.cvmfsthin.thinimage.registry.RetryPolicy;
import io.cvmfsthin.thinimage.testing.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/** A registry, a storage and keys directory, and helpers to convert and to look inside. */
final class ConvertFixture implements AutoCloseable {
  static final String FQRN = "layers.example.org";
  final Path dir;
  final TestRegistry registry;
  final Path storage;
  final Path keys;
  final RegistryClient client;

  ConvertFixture(Path dir, TestRegistry.Auth auth, DockerConfig creds) throws Exception {
    this.dir = dir;
    this.registry = TestRegistry.start(dir.resolve("registry"), auth);
    this.storage = dir.resolve("storage");
    this.keys = dir.resolve("keys");
    this.client =
        new RegistryClient(
            RegistryClient.newHttpClient(),
            creds,
            Set.of(),
            new RetryPolicy(2, Duration.ofMillis(50)));
  }

  private ConvertFixture(ConvertFixture other, DockerConfig creds) {
    this.dir = other.dir;
    this.registry = other.registry;
    this.storage = other.storage;
    this.keys = other.keys;
    this.client =
        new RegistryClient(
            RegistryClient.newHttpClient(),
            creds,
            Set.of(),
            new RetryPolicy(2, Duration.ofMillis(50)));
  }

  /** The same registry and repository, another client (closing either stops the registry). */
  ConvertFixture withCredentials(DockerConfig creds) {
    return new ConvertFixture(this, creds);
  }

  ImageReference ref(String nameAndTag) {
    return ImageReference.parse(registry.host() + "/" + nameAndTag);
  }

  CvmfsLayerRepository repository() throws IOException {
    return CvmfsLayerRepository.openOrCreate(storage, keys, FQRN, Clock.systemUTC());
  }

  ConvertResult convert(ImageSource source, ImageReference target, ConvertOptions options)
      throws IOException {
    return convert(source, target, options, ConvertListener.NONE);
  }

  ConvertResult convert(
      ImageSource source, ImageReference target, ConvertOptions options, ConvertListener listener)
      throws IOException {
    try (CvmfsLayerRepository repo = repository()) {
      return new Converter(repo, client, Clock.systemUTC(), listener)
          .convert(source, target, options);
    }
  }

  long storedBytes() throws IOException {
    try (CvmfsLayerRepository repo = repository()) {
      return repo.storedBytes();
    }
  }

  /** What is left in the repository's scratch directory (data/txn) after a publish ended. */
  java.util.List<Path> txnLeftovers() throws IOException {
    Path txn = storage.resolve(FQRN).resolve("data/txn");
    if (!Files.isDirectory(txn)) {
      return java.util.List.of();
    }
    try (java.util.stream.Stream<Path> s = Files.list(txn)) {
      return s.toList();
    }
  }

  /** The registry's stored file of a blob (docker-registry's filesystem driver layout). */
  Path registryBlobFile(io.cvmfsthin.thinimage.reference.Digest d) {
    return dir.resolve("registry/storage/docker/registry/v2/blobs/sha256")
        .resolve(d.fanOut())
        .resolve(d.hex())
        .resolve("data");
  }

  ConvertResult convert(ImageReference source) throws IOException {
    return convert(
        new RegistrySource(client, source, Platform.LINUX_AMD64), null, ConvertOptions.DEFAULT);
  }

  /** A fresh reader of the repository's current revision. */
  RepositoryClient reader() throws IOException {
    Path cache = Files.createTempDirectory(dir, "cache");
    return RepositoryClient.open(
        ClientSettings.builder(FQRN)
            .serverUrls(storage.toUri().toString().replaceAll("/$", "") + "/@fqrn@")
            .masterKeys(keys.resolve(FQRN + ".pub"))
            .cacheDir(cache)
            .build());
  }

  long revision() throws IOException {
    if (!Files.exists(storage.resolve(FQRN))) {
      return -1;
    }
    try (RepositoryClient r = reader()) {
      return r.revision();
    }
  }

  @Override
  public void close() throws Exception {
    registry.close();
  }
}
