package io.cvmfsthin.cvmfs.prefetch;

import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.PublishResult;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Edge: a prefetch list in a repository, at {@link PrefetchList#repositoryPath} ({@code
 * /.prefetch/<h2>/<chain key>/list}). Lists live beside the layers' {@code /.layers/<h2>/} tree and
 * not inside a layer directory, because a layer directory is the content of a layer (overlay would
 * show the file in the container) and is shared by every image built on it, while a list belongs to
 * one whole chain.
 */
public final class PrefetchPublication {
  private PrefetchPublication() {}

  /**
   * Publishes {@code list} for {@code chainKey}, replacing a list published before for the same
   * key, in one new revision.
   */
  public static PublishResult publish(
      RepositoryPublisher publisher, String chainKey, PrefetchList list) throws IOException {
    String dir = PrefetchList.repositoryDir(chainKey);
    Path tmp = Files.createTempDirectory("prefetch-publish-");
    try {
      Files.write(tmp.resolve(PrefetchList.FILE_NAME), list.toBytes());
      return publisher.publish(Publication.directory(dir, tmp));
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * Reads the list of {@code chainKey} published in the client's repository, with the bounds of
   * {@link PrefetchList#read}.
   *
   * @throws java.nio.file.NoSuchFileException if none is published
   */
  public static PrefetchList.Read read(RepositoryClient client, String chainKey)
      throws IOException {
    String path = PrefetchList.repositoryPath(chainKey);
    try (InputStream in = client.open(path)) {
      return PrefetchList.read(in, client.fqrn() + ":" + path);
    }
  }
}
