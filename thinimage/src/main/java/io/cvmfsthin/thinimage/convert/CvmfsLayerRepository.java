package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.cvmfs.publish.EntryReader;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stratum 0 ({@code <storage>/<fqrn>}) written with our publisher. A transaction is one
 * {@link RepositoryPublisher#transaction}: it looks at the catalogs as the transaction has made
 * them so far, under the repository's publish lock, so what it sees cannot change under it. Holds
 * no resources between transactions; close is for the interface.
 */
public final class CvmfsLayerRepository implements LayerRepository {
  private static final Logger log = LoggerFactory.getLogger(CvmfsLayerRepository.class);
  static final int WHITELIST_DAYS = 30;

  private final RepositoryPublisher publisher;

  private CvmfsLayerRepository(RepositoryPublisher publisher) {
    this.publisher = publisher;
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
    return openOrCreate(storage, keysDir, fqrn, clock, contentExecutor, Runnable::run);
  }

  /**
   * As {@link #openOrCreate(Path, Path, String, Clock, java.util.concurrent.Executor)}, forcing new
   * objects to disk on {@code syncExecutor} (the caller owns and shuts it down).
   */
  public static CvmfsLayerRepository openOrCreate(
      Path storage,
      Path keysDir,
      String fqrn,
      Clock clock,
      java.util.concurrent.Executor contentExecutor,
      java.util.concurrent.Executor syncExecutor)
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
    publisher = publisher.withExecutor(contentExecutor).withSyncExecutor(syncExecutor);
    Path pub = keysDir.resolve(fqrn + ".pub");
    if (!Files.isRegularFile(pub)) {
      // clients verify what we publish with it: a keys directory without it is a mistake
      throw new NoSuchFileException(
          pub.toString(), null, "public key of " + fqrn + " missing; --keys must hold it");
    }
    return new CvmfsLayerRepository(publisher);
  }

  @Override
  public String fqrn() {
    return publisher.fqrn();
  }

  @Override
  public Revisions transaction(Body body) throws IOException {
    long[] base = new long[1];
    PublishResult result =
        publisher.transaction(
            t -> {
              base[0] = t.baseRevision();
              body.run(new PublisherTransaction(t));
            });
    return new Revisions(base[0], result.revision(), result.newObjectBytes());
  }

  /** The converter's transaction on top of the publisher's. */
  private record PublisherTransaction(RepositoryPublisher.Transaction t) implements Transaction {
    @Override
    public boolean exists(String path) throws IOException {
      return t.exists(path);
    }

    @Override
    public Optional<byte[]> read(String path) throws IOException {
      return t.read(path);
    }

    @Override
    public boolean publish(
        String path, InputStream tar, boolean nestedCatalog, boolean onlyIfAbsent)
        throws IOException {
      return t.apply(
          Publication.tar(path, tar)
              .withNestedCatalog(nestedCatalog)
              .withMode(onlyIfAbsent ? Publication.Mode.ADD_IF_ABSENT : Publication.Mode.REPLACE));
    }

    @Override
    public boolean publish(
        String path, EntryReader entries, boolean nestedCatalog, boolean onlyIfAbsent)
        throws IOException {
      return t.apply(
          Publication.entries(path, entries)
              .withNestedCatalog(nestedCatalog)
              .withMode(onlyIfAbsent ? Publication.Mode.ADD_IF_ABSENT : Publication.Mode.REPLACE));
    }
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
  public void close() {
    // nothing held between transactions
  }
}
