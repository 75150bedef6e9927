package io.cvmfsthin.plugin;

import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.cvmfs.prefetch.PrefetchPublication;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Where the plugin publishes the prefetch lists it recorded (with {@code PUBLISH_REPOSITORY}). */
interface PrefetchListPublisher {
  /** The repository lists are published into; empty if any. */
  default Optional<String> fqrn() {
    return Optional.empty();
  }

  /** Publishes {@code list} at {@code /.prefetch/<h2>/<chainKey>/list}. */
  void publish(String chainKey, PrefetchList list) throws IOException;

  /**
   * Publishes with the in-process publisher into {@code <storage>/<fqrn>}, signed with the keys in
   * {@code keys}, as committed layers are; the repository is opened at each publish.
   */
  static PrefetchListPublisher local(Path storage, Path keys, String fqrn, Clock clock) {
    return new PrefetchListPublisher() {
      @Override
      public Optional<String> fqrn() {
        return Optional.of(fqrn);
      }

      @Override
      public void publish(String chainKey, PrefetchList list) throws IOException {
        PrefetchPublication.publish(
            RepositoryPublisher.open(storage, keys, fqrn, clock), chainKey, list);
      }
    };
  }
}
