package io.cvmfsthin.driver.commit;

import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.PublishResult;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.thinimage.layer.DigestingInputStream;
import io.cvmfsthin.thinimage.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with the in-process publisher into a stratum 0 on a local (or mounted) file system,
 * {@code <storage>/<fqrn>}, signed with the keys in {@code keys} ({@code <fqrn>.crt/.key/.pub}).
 * The repository is opened at the first publish, so a misconfiguration fails the commit with the
 * reason rather than the plugin's start.
 */
public final class LocalCommitPublisher implements CommitPublisher {
  private static final Logger log = LoggerFactory.getLogger(LocalCommitPublisher.class);

  private final Path storage;
  private final Path keys;
  private final String fqrn;
  private final Clock clock;
  private RepositoryPublisher publisher; // guarded by this

  public LocalCommitPublisher(Path storage, Path keys, String fqrn, Clock clock) {
    this.storage = storage;
    this.keys = keys;
    this.fqrn = fqrn;
    this.clock = clock;
  }

  @Override
  public String fqrn() {
    return fqrn;
  }

  /** Where the repository lives, for messages. */
  public Path repositoryDirectory() {
    return storage.resolve(fqrn);
  }

  private RepositoryPublisher publisher() throws IOException {
    if (publisher == null) {
      if (!Files.isRegularFile(repositoryDirectory().resolve(".cvmfspublished"))) {
        throw new java.nio.file.NoSuchFileException(
            repositoryDirectory().toString(),
            null,
            "no repository "
                + fqrn
                + " to publish committed layers into (create it with 'cvmfs-thin repo create')");
      }
      publisher = RepositoryPublisher.open(storage, keys, fqrn, clock);
    }
    return publisher;
  }

  @Override
  public synchronized boolean publishIfAbsent(String path, Path tar, Digest diffId)
      throws IOException {
    RepositoryPublisher p = publisher();
    try (DigestingInputStream check =
        new DigestingInputStream(Files.newInputStream(tar), "layer tar for " + path, -1)) {
      check.drain();
      check.verify(diffId);
    }
    try (InputStream in = Files.newInputStream(tar)) {
      PublishResult result =
          p.publish(
              Publication.tar(path, in)
                  .withNestedCatalog(true)
                  .withMode(Publication.Mode.ADD_IF_ABSENT));
      if (result.changed()) {
        log.info(
            "{}: published committed layer {} at {} (revision {}, {} new objects)",
            fqrn,
            diffId.shortForm(),
            path,
            result.revision(),
            result.newObjects());
      } else {
        log.info("{}: committed layer {} is at {} already", fqrn, diffId.shortForm(), path);
      }
      return result.changed();
    }
  }
}
