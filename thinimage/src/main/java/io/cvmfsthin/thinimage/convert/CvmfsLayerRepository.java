package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.PublishResult;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stratum 0 ({@code <storage>/<fqrn>}) written with our publisher and read back with our
 * client over {@code file://}, verified against the repository's public key. The client's object
 * cache lives in a temporary directory removed on close. Owns both; close it.
 */
public final class CvmfsLayerRepository implements LayerRepository {
  private static final Logger log = LoggerFactory.getLogger(CvmfsLayerRepository.class);
  static final int WHITELIST_DAYS = 30;

  private final RepositoryPublisher publisher;
  private final ClientSettings readerSettings;
  private final Path cacheDir;
  private RepositoryClient reader; // confined to the converter's thread

  private CvmfsLayerRepository(
      RepositoryPublisher publisher, ClientSettings readerSettings, Path cacheDir) {
    this.publisher = publisher;
    this.readerSettings = readerSettings;
    this.cacheDir = cacheDir;
  }

  /**
   * Opens the repository {@code fqrn} in {@code storage}, creating it (with keys in {@code
   * keysDir}, made if absent) when it does not exist yet.
   */
  public static CvmfsLayerRepository openOrCreate(
      Path storage, Path keysDir, String fqrn, Clock clock) throws IOException {
    return openOrCreate(storage, keysDir, fqrn, clock, Runnable::run);
  }

  /**
   * As {@link #openOrCreate(Path, Path, String, Clock)}, compressing and storing file contents on
   * {@code contentExecutor} while a layer streams (the caller owns and shuts it down).
   */
  public static CvmfsLayerRepository openOrCreate(
      Path storage,
      Path keysDir,
      String fqrn,
      Clock clock,
      java.util.concurrent.Executor contentExecutor)
      throws IOException {
    RepositoryPublisher publisher;
    if (Files.isRegularFile(storage.resolve(fqrn).resolve(".cvmfspublished"))) {
      publisher = RepositoryPublisher.open(storage, keysDir, fqrn, clock);
    } else {
      Files.createDirectories(keysDir);
      publisher =
          RepositoryPublisher.create(
              storage, keysDir, fqrn, RepositorySettings.DEFAULT, WHITELIST_DAYS, clock);
      log.info("created repository {} in {} (keys in {})", fqrn, storage, keysDir);
    }
    publisher = publisher.withExecutor(contentExecutor);
    Path pub = keysDir.resolve(fqrn + ".pub");
    if (!Files.isRegularFile(pub)) {
      throw new NoSuchFileException(
          pub.toString(), null, "public key of " + fqrn + " missing; --keys must hold it");
    }
    Path cache = Files.createTempDirectory("cvmfs-thin-convert-");
    try {
      ClientSettings settings =
          ClientSettings.builder(fqrn)
              .serverUrls(
                  storage.toAbsolutePath().toUri().toString().replaceAll("/$", "") + "/@fqrn@")
              .masterKeys(pub)
              .cacheDir(cache)
              .clock(clock)
              .build();
      return new CvmfsLayerRepository(publisher, settings, cache);
    } catch (IOException | RuntimeException e) {
      deleteTree(cache);
      throw e;
    }
  }

  @Override
  public String fqrn() {
    return publisher.fqrn();
  }

  @Override
  public long revision() throws IOException {
    return publisher.manifest().revision();
  }

  private RepositoryClient reader() throws IOException {
    if (reader == null) {
      reader = RepositoryClient.open(readerSettings);
    }
    return reader;
  }

  @Override
  public boolean exists(String path) throws IOException {
    try {
      reader().lookup(path);
      return true;
    } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
      return false;
    }
  }

  @Override
  public Optional<byte[]> read(String path) throws IOException {
    DirectoryEntry e;
    try {
      e = reader().lookup(path);
    } catch (NoSuchFileException | java.nio.file.NotDirectoryException ex) {
      return Optional.empty();
    }
    if (!e.isRegular()) {
      return Optional.empty();
    }
    try (InputStream in = reader().open(path)) {
      return Optional.of(in.readAllBytes());
    }
  }

  @Override
  public boolean publish(String path, InputStream tar, boolean nestedCatalog, boolean onlyIfAbsent)
      throws IOException {
    Publication p =
        Publication.tar(path, tar)
            .withNestedCatalog(nestedCatalog)
            .withMode(onlyIfAbsent ? Publication.Mode.ADD_IF_ABSENT : Publication.Mode.REPLACE);
    PublishResult result = publisher.publish(p);
    if (result.changed() && reader != null) {
      reader.refreshNow();
    }
    return result.changed();
  }

  @Override
  public long storedBytes() throws IOException {
    Path data = publisher.repositoryDirectory().resolve("data");
    if (!Files.isDirectory(data)) {
      return 0;
    }
    AtomicLong total = new AtomicLong();
    Files.walkFileTree(
        data,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return dir.getFileName().toString().equals("txn")
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            total.addAndGet(attrs.size());
            return FileVisitResult.CONTINUE;
          }
        });
    return total.get();
  }

  @Override
  public void close() throws IOException {
    try {
      if (reader != null) {
        reader.close();
      }
    } finally {
      deleteTree(cacheDir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
