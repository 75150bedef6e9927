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
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.zip.Deflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge: the content-addressed objects of one stratum, {@code data/XX/<rest><suffix>} (spec §4.3).
 * An object is written under {@code data/txn/}, its size checked, and renamed into place, so a
 * partial object is never visible under its name; an object that already exists is not written
 * again (deduplication). The store remembers the objects it created, so a failed publish removes
 * exactly those ({@link #removeCreated()}) and a successful one syncs them to disk ({@link
 * #syncCreated()}) before anything refers to them. One publish, one instance; sinks may be used
 * from several threads at once, one sink per thread. Deflaters (with their output buffers) are
 * pooled, reused from object to object and ended by {@link #close()}; fsyncs run on the caller's
 * executor.
 */
final class ObjectStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ObjectStore.class);
  private static final int MEMORY_LIMIT = 1 << 20;

  private static final int DEFLATE_BUFFER = 64 * 1024;

  private final Path repository;
  private final Path txn;
  private final HashAlgorithm algorithm;
  private final Executor executor; // the caller's: fsyncs run on it
  private final java.util.concurrent.atomic.AtomicLong tempNames =
      new java.util.concurrent.atomic.AtomicLong();
  private final Map<Path, Long> created = new ConcurrentHashMap<>(); // object → bytes on disk
  // idle deflaters with their output buffers: a Deflater is costly to create; ended by close()
  private final ConcurrentLinkedDeque<Compressor> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  /** A deflater at zlib's default level (as CernVM-FS's own) and the buffer it deflates into. */
  private record Compressor(Deflater deflater, byte[] buffer) {}

  /** A store whose fsyncs run on the calling thread. */
  ObjectStore(Path repository, HashAlgorithm algorithm) {
    this(repository, algorithm, Runnable::run);
  }

  /** A store whose fsyncs run on {@code executor} (owned by the caller). */
  ObjectStore(Path repository, HashAlgorithm algorithm, Executor executor) {
    this.repository = repository;
    this.txn = repository.resolve("data").resolve("txn");
    this.algorithm = algorithm;
    this.executor = executor;
  }

  private Compressor takeCompressor() {
    Compressor c = idle.poll();
    if (c == null) {
      return new Compressor(new Deflater(Deflater.DEFAULT_COMPRESSION), new byte[DEFLATE_BUFFER]);
    }
    c.deflater().reset();
    return c;
  }

  private void giveBack(Compressor c) {
    idle.push(c);
    if (closed && idle.remove(c)) {
      c.deflater().end(); // a sink that outlived the store
    }
  }

  /** Ends every pooled deflater; sinks still open end theirs when they finish. */
  @Override
  public void close() {
    closed = true;
    for (Compressor c; (c = idle.poll()) != null; ) {
      c.deflater().end();
    }
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
   * Forces every object this store created to disk, then their directories. The fsyncs run in up to
   * 32 batches on the store's executor: the file system commits concurrent fsyncs together, which
   * is about ten times faster than one after the other for thousands of small objects.
   */
  void syncCreated() throws IOException {
    List<Path> files = new ArrayList<>(created.keySet());
    Set<Path> dirs = new java.util.LinkedHashSet<>();
    for (Path p : files) {
      dirs.add(p.getParent());
    }
    forceAll(files);
    forceAll(new ArrayList<>(dirs));
  }

  private void forceAll(List<Path> paths) throws IOException {
    if (paths.size() < 64) {
      for (Path p : paths) {
        force(p);
      }
      return;
    }
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (Path p : paths) { // one task each: a slow fsync holds up no others
      done.add(
          CompletableFuture.runAsync(
              () -> {
                try {
                  force(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              executor));
    }
    IOException first = null;
    for (CompletableFuture<Void> f : done) {
      try {
        f.join();
      } catch (CompletionException e) {
        if (first == null) {
          first =
              e.getCause() instanceof UncheckedIOException u
                  ? u.getCause()
                  : new IOException("syncing objects failed: " + e.getCause(), e.getCause());
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Deletes the objects this store created (a failed publish). */
  void removeCreated() {
    for (Path p : created.keySet()) {
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
    if (created.remove(p) != null) {
      Files.deleteIfExists(p);
    }
  }

  int createdCount() {
    return created.size();
  }

  /** Bytes on disk of the objects this store created (and still holds). */
  long createdBytes() {
    return created.values().stream().mapToLong(Long::longValue).sum();
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
    private Compressor compressor; // null: stored as is, or once compression has finished
    private ContentHash hash;
    private boolean done;

    private ObjectSink(Compression compression) {
      this.compressor = compression == Compression.ZLIB ? takeCompressor() : null;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (hash != null) {
        throw new IllegalStateException("object sealed already");
      }
      if (compressor == null) {
        hashing.write(b, off, len);
        return;
      }
      Deflater d = compressor.deflater();
      d.setInput(b, off, len);
      while (!d.needsInput()) {
        deflateSome(d);
      }
    }

    private void deflateSome(Deflater d) throws IOException {
      byte[] out = compressor.buffer();
      int n = d.deflate(out, 0, out.length);
      if (n > 0) {
        hashing.write(out, 0, n);
      }
    }

    /** Finishes compression and gives the deflater back for the next sink. */
    private void endCompression(boolean flush) throws IOException {
      Compressor c = compressor;
      if (c == null) {
        return;
      }
      try {
        if (flush) {
          c.deflater().finish();
          while (!c.deflater().finished()) {
            deflateSome(c.deflater());
          }
        }
      } finally {
        compressor = null;
        giveBack(c);
      }
    }

    /**
     * Ends the object's bytes (finishing compression, which frees the store's deflater for the next
     * sink) and returns its hash; the object is stored by {@link #commit}.
     */
    ContentHash seal() throws IOException {
      if (hash == null) {
        endCompression(true);
        spill.close();
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
        created.put(target, size);
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
          endCompression(false);
        } finally {
          spill.discard();
        }
      }
    }
  }

  /**
   * A new temporary object file under data/txn, created and opened once (a counter names it: the
   * directory is this repository's scratch space, cleaned under the publish lock).
   */
  private FileChannel newTempFile(Path[] name) throws IOException {
    while (true) {
      Path p =
          txn.resolve(
              "object-"
                  + ProcessHandle.current().pid()
                  + "-"
                  + tempNames.incrementAndGet()
                  + ".tmp");
      try {
        FileChannel ch =
            FileChannel.open(
                p,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                StratumFiles.READABLE);
        name[0] = p;
        return ch;
      } catch (java.nio.file.FileAlreadyExistsException taken) {
        // left by an earlier process with the same pid: take the next number
      }
    }
  }

  /** An in-memory object's bytes, readable in place. */
  private static final class MemoryBytes extends ByteArrayOutputStream {
    MemoryBytes() {
      super(8192);
    }

    ByteBuffer view() {
      return ByteBuffer.wrap(buf, 0, count);
    }
  }

  /** Bytes in memory up to a limit, then in a temporary file under data/txn. */
  private final class Spill extends OutputStream {
    private MemoryBytes memory = new MemoryBytes();
    private Path file;
    private OutputStream fileOut;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (fileOut == null && memory.size() + len > MEMORY_LIMIT) {
        Path[] name = new Path[1];
        fileOut =
            new java.io.BufferedOutputStream(
                Channels.newOutputStream(newTempFile(name)), 64 * 1024);
        file = name[0];
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

    /** The bytes in a file (written now if they were in memory, in one open and one write). */
    Path toFile() throws IOException {
      if (file == null) {
        Path[] name = new Path[1];
        try (FileChannel ch = newTempFile(name)) {
          file = name[0];
          ByteBuffer buf = memory.view(); // the bytes in place, not a copy
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
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
