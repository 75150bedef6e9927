package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A repository the test publishes with our publisher under {@code <root>/cvmfs/<fqrn>}, served by
 * an {@link HttpStratum} on loopback.
 */
final class PublishedRepo implements AutoCloseable {
  final String fqrn;
  final Path root;
  final Path keys;
  final RepositoryPublisher publisher;
  final HttpStratum stratum;

  private PublishedRepo(String fqrn, Path root, RepositoryPublisher publisher) throws IOException {
    this.fqrn = fqrn;
    this.root = root;
    this.keys = root.resolve("keys");
    this.publisher = publisher;
    this.stratum = HttpStratum.serve(root);
  }

  static PublishedRepo create(Path dir, String fqrn, RepositorySettings settings)
      throws IOException {
    RepositoryPublisher p =
        RepositoryPublisher.create(
            dir.resolve("cvmfs"), dir.resolve("keys"), fqrn, settings, 30, Clock.systemUTC());
    return new PublishedRepo(fqrn, dir, p);
  }

  void publish(String path, byte[] tar, boolean nestedCatalog) throws IOException {
    publisher.publish(
        Publication.tar(path, new ByteArrayInputStream(tar)).withNestedCatalog(nestedCatalog));
  }

  ClientSettings.Builder settings(Path cache) throws IOException {
    return ClientSettings.builder(fqrn)
        .serverUrls(stratum.url(fqrn))
        .masterKeys(keys.resolve(fqrn + ".pub"))
        .cacheDir(cache)
        .fetch(FuseTests.FAST);
  }

  @Override
  public void close() {
    stratum.close();
  }

  /** Builds a tar in memory, entries in the order added. */
  static final class Tar {
    record Item(String name, char type, int mode, int uid, byte[] content, String target) {}

    final List<Item> items = new ArrayList<>();

    Tar dir(String name, int mode) {
      items.add(new Item(name, 'd', mode, 0, null, null));
      return this;
    }

    Tar file(String name, String content) {
      return file(name, 0644, 0, content.getBytes(StandardCharsets.UTF_8));
    }

    Tar file(String name, int mode, int uid, byte[] content) {
      items.add(new Item(name, 'f', mode, uid, content, null));
      return this;
    }

    Tar symlink(String name, String target) {
      items.add(new Item(name, 'l', 0777, 0, null, target));
      return this;
    }

    byte[] bytes() throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "UTF-8")) {
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        for (Item i : items) {
          TarArchiveEntry e;
          switch (i.type()) {
            case 'd' -> {
              e = new TarArchiveEntry(i.name() + "/");
              e.setMode(040000 | i.mode());
            }
            case 'l' -> {
              e = new TarArchiveEntry(i.name(), TarArchiveEntry.LF_SYMLINK);
              e.setLinkName(i.target());
              e.setMode(0120777);
            }
            default -> {
              e = new TarArchiveEntry(i.name());
              e.setMode(0100000 | i.mode());
              e.setSize(i.content().length);
            }
          }
          e.setUserId(i.uid());
          e.setGroupId(i.uid());
          e.setModTime(1704067200_000L);
          out.putArchiveEntry(e);
          if (i.content() != null) {
            out.write(i.content());
          }
          out.closeArchiveEntry();
        }
      }
      return bytes.toByteArray();
    }
  }
}
