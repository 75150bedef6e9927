package io.cvmfsthin.driver.commit;

import io.cvmfsthin.thinimage.reference.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where layers committed above a thin image go (thin-image.md §6.3): a CernVM-FS repository that
 * this host's client also reads. Implementations serialise their own publishes.
 */
public interface CommitPublisher {
  /** No repository to publish into: commits above thin images stay ordinary layers. */
  CommitPublisher NONE =
      new CommitPublisher() {
        @Override
        public String fqrn() {
          throw new IllegalStateException("no repository to publish commits into");
        }

        @Override
        public int publishAbsent(List<LayerTar> layers) {
          throw new IllegalStateException("no repository to publish commits into");
        }
      };

  /**
   * One layer to publish.
   *
   * @param path the repository directory it becomes
   * @param tar the uncompressed layer tar (OCI whiteouts), in a file
   * @param diffId the tar's sha256, checked again before publishing
   */
  record LayerTar(String path, Path tar, Digest diffId) {}

  /** The repository layers are published into. */
  String fqrn();

  /**
   * Publishes every layer whose directory does not exist yet, all in one new revision (none if all
   * exist). Each tar published is hashed again while the publisher reads it (one pass): one that no
   * longer matches its diff_id publishes nothing at all.
   *
   * @return how many layers were published now
   */
  int publishAbsent(List<LayerTar> layers) throws IOException;
}
