package io.cvmfsthin.driver.commit;

import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.PublishResult;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.thinimage.layer.DigestingInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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
  public synchronized int publishAbsent(List<LayerTar> layers) throws IOException {
    RepositoryPublisher p = publisher();
    int[] published = {0};
    PublishResult result =
        p.transaction(
            t -> {
              for (LayerTar layer : layers) {
                if (t.exists(layer.path())) {
                  log.info(
                      "{}: committed layer {} is at {} already",
                      fqrn,
                      layer.diffId().shortForm(),
                      layer.path());
                  continue;
                }
                // hashed again as it is published, not in a pass of its own: a tar that no
                // longer matches its diff_id fails the body, so the revision publishes nothing
                try (DigestingInputStream in =
                    new DigestingInputStream(
                        Files.newInputStream(layer.tar()), "layer tar for " + layer.path(), -1)) {
                  t.apply(
                      Publication.tar(layer.path(), in)
                          .withNestedCatalog(true)
                          .withMode(Publication.Mode.ADD_IF_ABSENT));
                  in.drain();
                  in.verify(layer.diffId());
                }
                published[0]++;
              }
            });
    if (result.changed()) {
      log.info(
          "{}: published {} committed layers in revision {} ({} new objects)",
          fqrn,
          published[0],
          result.revision(),
          result.newObjects());
    }
    return published[0];
  }
}
