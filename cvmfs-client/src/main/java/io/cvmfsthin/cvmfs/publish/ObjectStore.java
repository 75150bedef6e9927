package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.DigestMismatchException;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.HashingInputStream;
import io.cvmfsthin.cvmfs.object.HashingOutputStream;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge: the content-addressed objects of one stratum, {@code data/XX/<rest><suffix>} (spec §4.3).
 * An object is written under {@code data/txn/}, its size checked, and renamed into place, so a
 * partial object is never visible under its name; an object that already exists is not written
 * again (deduplication). The store remembers the objects it created, so a failed publish removes
 * exactly those ({@link #removeCreated()}) and a successful one syncs them to disk ({@link
 * #syncCreated()}) before anything refers to them. One publish, one instance; sinks may be used
 * from several threads at once, one sink per thread.
 */
final class ObjectStore {
  private static final Logger log = LoggerFactory.getLogger(ObjectStore.class);
  private static final int MEMORY_LIMIT = 1 << 20;

  private final Path repository;
  private final Path txn;
  private final HashAlgorithm algorithm;
  private final Set<Path> created = ConcurrentHashMap.newKeySet();
  // one deflater per thread, reused from object to object (a Deflater is costly to create)
  private final ThreadLocal<Deflater> deflaters =
      ThreadLocal.withInitial(
          () -> new Deflater(Deflater.DEFAULT_COMPRESSION)); // reused, one sink at a time

  ObjectStore(Path repository, HashAlgorithm algorithm) {
    this.repository = repository;
    this.txn = repository.resolve("data").resolve("txn");
    this.algorithm = algorithm;
  }

  HashAlgorithm algorithm() {
    return algorithm;
  }

  Path path(ContentHash hash, ObjectType type) {
    return repository.resolve(hash.objectPath(type));
  }

  boolean exists(ContentHash hash, ObjectType type) {
    return Files.exists(path(hash, type));
  }

  /** A stream for one object; {@link ObjectSink#commit} names and stores it. */
  ObjectSink newSink(Compression compression) {
    return new ObjectSink(compression);
  }

  /** Stores a whole byte array. */
  ContentHash put(byte[] raw, ObjectType type, Compression compression) throws IOException {
    try (ObjectSink sink = newSink(compression)) {
      sink.write(raw);
      return sink.commit(type);
    }
  }

  /** Stores a file's bytes (a catalog or history database). */
  ContentHash put(Path file, ObjectType type, Compression compression) throws IOException {
    try (ObjectSink sink = newSink(compression);
        InputStream in = Files.newInputStream(file)) {
      in.transferTo(sink);
      return sink.commit(type);
    }
  }

  /**
   * Inflates an object of this repository into {@code target}, checking that its bytes hash to its
   * name.
   */
  void inflateTo(ContentHash hash, ObjectType type, Path target, long maxBytes) throws IOException {
    Path p = path(hash, type);
    if (!Files.exists(p)) {
      throw new NoSuchFileException(
          p.toString(), null, "object named by the repository is missing");
    }
    try (HashingInputStream in = new HashingInputStream(Files.newInputStream(p), hash.algorithm());
        InputStream z = Zlib.inflating(in, maxBytes);
        OutputStream out = Files.newOutputStream(target)) {
      z.transferTo(out);
      in.transferTo(OutputStream.nullOutputStream());
      ContentHash actual = in.hash();
      if (!actual.equals(hash)) {
        throw new DigestMismatchException(p.toString(), hash, actual);
      }
    }
  }

  /**
   * The bytes of an object of this repository (inflated if {@code compression} says so), checked
   * against its name; more than {@code maxBytes} is refused.
   */
  byte[] read(ContentHash hash, ObjectType type, Compression compression, long maxBytes)
      throws IOException {
    Path p = path(hash, type);
    if (!Files.exists(p)) {
      throw new NoSuchFileException(
          p.toString(), null, "object named by the repository is missing");
    }
    byte[] bytes;
    try (HashingInputStream in =
        new HashingInputStream(Files.newInputStream(p), hash.algorithm())) {
      if (compression == Compression.ZLIB) {
        try (InputStream z = Zlib.inflating(in, maxBytes)) {
          bytes = z.readAllBytes();
          in.transferTo(OutputStream.nullOutputStream());
        }
      } else {
        bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
        if (bytes.length > maxBytes) {
          throw new IOException(p + ": more than " + maxBytes + " bytes");
        }
      }
      ContentHash actual = in.hash();
      if (!actual.equals(hash)) {
        throw new DigestMismatchException(p.toString(), hash, actual);
      }
    }
    return bytes;
  }

  /**
   * Forces every object this store created to disk, then their directories. The fsyncs run on 32
   * short-lived threads owned by this call: the file system commits concurrent fsyncs together,
   * which is about ten times faster than one after the other for thousands of small objects.
   */
  void syncCreated() throws IOException {
    List<Path> files = new ArrayList<>(created);
    Set<Path> dirs = new java.util.LinkedHashSet<>();
    for (Path p : files) {
      dirs.add(p.getParent());
    }
    forceAll(files);
    forceAll(new ArrayList<>(dirs));
  }

  private static void forceAll(List<Path> paths) throws IOException {
    if (paths.size() < 64) {
      for (Path p : paths) {
        force(p);
      }
      return;
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            32,
            r -> {
              Thread t = new Thread(r, "object-fsync-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Path p : paths) {
        done.add(
            pool.submit(
                () -> {
                  force(p);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while syncing objects");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException("syncing objects failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Deletes the objects this store created (a failed publish). */
  void removeCreated() {
    for (Path p : created) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        log.warn("could not remove object {} of a failed publish", p, e);
      }
    }
    created.clear();
  }

  /**
   * Deletes one object, if this store created it (one a later step made unreachable); an object
   * that existed before is left alone.
   */
  void removeCreated(ContentHash hash, ObjectType type) throws IOException {
    Path p = path(hash, type);
    if (created.remove(p)) {
      Files.deleteIfExists(p);
    }
  }

  int createdCount() {
    return created.size();
  }

  static void force(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * One object being written: raw bytes in, compressed (or not), hashed over the stored bytes, held
   * in memory up to 1 MiB and spilled to {@code data/txn/} beyond.
   */
  final class ObjectSink extends OutputStream {
    private final Spill spill = new Spill();
    private final HashingOutputStream hashing = new HashingOutputStream(spill, algorithm);
    private final OutputStream head;
    private ContentHash hash;
    private boolean done;

    private ObjectSink(Compression compression) {
      if (compression == Compression.ZLIB) {
        Deflater deflater = deflaters.get();
        deflater.reset();
        this.head = new DeflaterOutputStream(hashing, deflater, 64 * 1024);
      } else {
        this.head = hashing;
      }
    }

    @Override
    public void write(int b) throws IOException {
      head.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      head.write(b, off, len);
    }

    /**
     * Ends the object's bytes (finishing compression, which frees the store's deflater for the next
     * sink) and returns its hash; the object is stored by {@link #commit}.
     */
    ContentHash seal() throws IOException {
      if (hash == null) {
        head.close();
        hash = hashing.hash();
      }
      return hash;
    }

    /** Seals the object and puts it under its name; returns its hash. */
    ContentHash commit(ObjectType type) throws IOException {
      seal();
      done = true;
      Path target = path(hash, type);
      if (Files.exists(target)) {
        spill.discard();
        return hash;
      }
      Path tmp = spill.toFile();
      try {
        long size = Files.size(tmp);
        if (size != hashing.count()) {
          throw new IOException(
              "object "
                  + hash
                  + ": wrote "
                  + hashing.count()
                  + " bytes but "
                  + tmp
                  + " has "
                  + size);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        created.add(target);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return hash;
    }

    /** Drops an uncommitted object. */
    @Override
    public void close() throws IOException {
      if (!done) {
        done = true;
        try {
          if (hash == null) {
            head.close();
          }
        } finally {
          spill.discard();
        }
      }
    }
  }

  /** Bytes in memory up to a limit, then in a temporary file under data/txn. */
  private final class Spill extends OutputStream {
    private ByteArrayOutputStream memory = new ByteArrayOutputStream(8192);
    private Path file;
    private OutputStream fileOut;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (fileOut == null && memory.size() + len > MEMORY_LIMIT) {
        file = Files.createTempFile(txn, "object-", ".tmp", StratumFiles.READABLE);
        fileOut = Files.newOutputStream(file);
        memory.writeTo(fileOut);
        memory = null;
      }
      if (fileOut != null) {
        fileOut.write(b, off, len);
      } else {
        memory.write(b, off, len);
      }
    }

    @Override
    public void close() throws IOException {
      if (fileOut != null) {
        fileOut.close();
      }
    }

    Path toFile() throws IOException {
      if (file == null) {
        file = Files.createTempFile(txn, "object-", ".tmp", StratumFiles.READABLE);
        try (OutputStream out = Files.newOutputStream(file)) {
          memory.writeTo(out);
        }
      }
      return file;
    }

    void discard() throws IOException {
      close();
      if (file != null) {
        Files.deleteIfExists(file);
      }
    }
  }
}
