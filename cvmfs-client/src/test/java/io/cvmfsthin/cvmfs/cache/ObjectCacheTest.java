package io.cvmfsthin.cvmfs.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.DecompressionLimitException;
import io.cvmfsthin.cvmfs.object.DigestMismatchException;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.object.ObjectType;
import io.cvmfsthin.cvmfs.object.Zlib;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectCacheTest {
  @TempDir Path root;

  /** A zlib object of {@code size} bytes of {@code fill}, with its name. */
  record Obj(byte[] content, byte[] stored, ContentHash hash) {
    static Obj of(int size, int fill) {
      byte[] content = new byte[size];
      Arrays.fill(content, (byte) fill);
      byte[] stored = Zlib.compress(content);
      return new Obj(content, stored, HashAlgorithm.SHA1.hash(stored));
    }
  }

  Path put(ObjectCache cache, Obj o) throws java.io.IOException {
    return cache.put(
        o.hash(),
        ObjectType.FILE,
        Compression.ZLIB,
        o.content().length,
        o.content().length,
        new ByteArrayInputStream(o.stored()),
        "test object");
  }

  List<Path> files(String dir) throws Exception {
    try (Stream<Path> s = Files.walk(root.resolve(dir))) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void put_storesTheInflatedContentUnderTheObjectName() throws Exception {
    Obj o = Obj.of(1000, 'a');
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      Path p = put(cache, o);
      assertThat(p.toString())
          .matches(
              java.util.regex.Pattern.quote(
                      root.resolve(o.hash().objectPath(ObjectType.FILE)).toString())
                  + "\\.[0-9a-f]{8}");
      assertThat(Files.readAllBytes(p)).isEqualTo(o.content());
      assertThat(cache.find(o.hash(), ObjectType.FILE)).contains(p);
      assertThat(cache.find(o.hash(), ObjectType.CATALOG)).isEmpty();
      assertThat(cache.usedBytes()).isEqualTo(1000);
    }
  }

  @Test
  void put_ofBytesThatDoNotMatchTheName_leavesNothing() throws Exception {
    Obj o = Obj.of(100, 'a');
    Obj other = Obj.of(100, 'b');
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThatThrownBy(
              () ->
                  cache.put(
                      o.hash(),
                      ObjectType.FILE,
                      Compression.ZLIB,
                      100,
                      100,
                      new ByteArrayInputStream(other.stored()),
                      "/x from test"))
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("/x from test: content hash mismatch, expected " + o.hash());
      assertThat(files("data")).isEmpty();
      assertThat(files("txn")).isEmpty();
    }
  }

  @Test
  void put_ofABombWithTheRightName_stopsAtTheLimit() throws Exception {
    Obj bomb = Obj.of(20 * 1024 * 1024, 0); // its name is right, only the size is a lie
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThatThrownBy(
              () ->
                  cache.put(
                      bomb.hash(),
                      ObjectType.FILE,
                      Compression.ZLIB,
                      -1,
                      1024 * 1024,
                      new ByteArrayInputStream(bomb.stored()),
                      "bomb"))
          .isInstanceOf(DecompressionLimitException.class)
          .hasMessageContaining("bomb: more than 1048576 bytes");
      assertThat(files("data")).isEmpty();
      assertThat(files("txn")).isEmpty();
    }
  }

  @Test
  void put_ofATruncatedStream_leavesNothing() throws Exception {
    Obj o = Obj.of(100_000, 'q');
    byte[] cut = Arrays.copyOf(o.stored(), o.stored().length / 2);
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThatThrownBy(
              () ->
                  cache.put(
                      o.hash(),
                      ObjectType.FILE,
                      Compression.ZLIB,
                      -1,
                      1 << 20,
                      new ByteArrayInputStream(cut),
                      "cut"))
          .isInstanceOf(EOFException.class);
      assertThat(files("data")).isEmpty();
      assertThat(files("txn")).isEmpty();
    }
  }

  @Test
  void put_ofAnUncompressedObject_checksItsSize() throws Exception {
    byte[] raw = "plain bytes".getBytes(StandardCharsets.UTF_8);
    ContentHash h = HashAlgorithm.SHAKE128.hash(raw);
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThatThrownBy(
              () ->
                  cache.put(
                      h,
                      ObjectType.PARTIAL,
                      Compression.NONE,
                      5,
                      5,
                      new ByteArrayInputStream(raw),
                      "p"))
          .isInstanceOf(DecompressionLimitException.class);
      Path p =
          cache.put(
              h,
              ObjectType.PARTIAL,
              Compression.NONE,
              raw.length,
              raw.length,
              new ByteArrayInputStream(raw),
              "p");
      assertThat(p.getFileName().toString()).containsPattern("-shake128P\\.[0-9a-f]{8}$");
      assertThat(Files.readAllBytes(p)).isEqualTo(raw);
    }
  }

  @Test
  void put_whenTheObjectDirectoryIsGone_makesItAgain() throws Exception {
    Obj a = Obj.of(300, 'a');
    Obj b = Obj.of(300, 'b');
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      Path pa = put(cache, a);
      Files.delete(pa);
      Files.delete(pa.getParent()); // e.g. emptied and removed by an operator
      Path again = put(cache, a);
      assertThat(again.getParent()).isDirectory();
      assertThat(Files.readAllBytes(again)).isEqualTo(a.content());
      assertThat(Files.readAllBytes(put(cache, b))).isEqualTo(b.content());
      assertThat(files("txn")).isEmpty();
    }
  }

  @Test
  void put_byManyThreads_usesOneDownloadNameEach_andLeavesNothingInTxn() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      List<Future<Path>> done = new ArrayList<>();
      List<Obj> objs = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        Obj o = Obj.of(100 + i, i);
        objs.add(o);
        done.add(pool.submit(() -> put(cache, o)));
      }
      for (int i = 0; i < objs.size(); i++) {
        assertThat(Files.readAllBytes(done.get(i).get())).isEqualTo(objs.get(i).content());
      }
      assertThat(files("txn")).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void quota_evictsTheLeastRecentlyUsedObjects() throws Exception {
    Obj a = Obj.of(400, 'a');
    Obj b = Obj.of(400, 'b');
    Obj c = Obj.of(400, 'c');
    try (ObjectCache cache = ObjectCache.open(root, 1000)) {
      put(cache, a);
      put(cache, b);
      assertThat(cache.find(a.hash(), ObjectType.FILE)).isPresent(); // a is now newer than b
      put(cache, c);
      assertThat(cache.find(b.hash(), ObjectType.FILE)).isEmpty();
      assertThat(files("data")).hasSize(2);
      assertThat(cache.find(a.hash(), ObjectType.FILE)).isPresent();
      assertThat(cache.find(c.hash(), ObjectType.FILE)).isPresent();
      assertThat(cache.usedBytes()).isEqualTo(800);
    }
  }

  @Test
  void quota_neverEvictsPinnedObjects() throws Exception {
    Obj a = Obj.of(600, 'a');
    Obj b = Obj.of(600, 'b');
    try (ObjectCache cache = ObjectCache.open(root, 1000)) {
      put(cache, a);
      cache.pin(a.hash(), ObjectType.FILE);
      put(cache, b);
      assertThat(cache.find(a.hash(), ObjectType.FILE)).isPresent();
      assertThat(cache.usedBytes()).isEqualTo(1200); // over quota, logged, nothing lost
      cache.unpin(a.hash(), ObjectType.FILE);
      put(cache, Obj.of(100, 'c'));
      assertThat(cache.find(b.hash(), ObjectType.FILE)).isEmpty(); // the older once a was used
      assertThat(cache.usedBytes()).isEqualTo(700);
    }
  }

  @Test
  void restart_keepsObjectsAndTheirLruOrder_andDropsPartialDownloads() throws Exception {
    Obj a = Obj.of(400, 'a');
    Obj b = Obj.of(400, 'b');
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      Path pa = put(cache, a);
      Path pb = put(cache, b);
      Files.setLastModifiedTime(pa, FileTime.fromMillis(2_000_000_000_000L)); // a used last
      Files.setLastModifiedTime(pb, FileTime.fromMillis(1_000_000_000_000L));
    }
    Files.write(root.resolve("txn").resolve("partial-123"), new byte[] {1, 2, 3});
    try (ObjectCache cache = ObjectCache.open(root, 1000)) {
      assertThat(files("txn")).isEmpty();
      assertThat(cache.usedBytes()).isEqualTo(800);
      assertThat(Files.readAllBytes(cache.find(a.hash(), ObjectType.FILE).orElseThrow()))
          .isEqualTo(a.content());
      put(cache, Obj.of(400, 'c'));
      assertThat(cache.find(b.hash(), ObjectType.FILE)).isEmpty();
      assertThat(cache.find(a.hash(), ObjectType.FILE)).isPresent();
    }
    try (ObjectCache cache = ObjectCache.open(root, 500)) {
      assertThat(cache.usedBytes()).isLessThanOrEqualTo(500); // a smaller quota applies at open
    }
  }

  @Test
  void get_byManyThreadsAtOnce_loadsOnce() throws Exception {
    Obj o = Obj.of(5000, 'z');
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(
            pool.submit(
                () ->
                    cache.get(
                        o.hash(),
                        ObjectType.FILE,
                        () -> {
                          loads.incrementAndGet();
                          started.countDown();
                          try {
                            Thread.sleep(200);
                          } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                          }
                          return put(cache, o);
                        })));
      }
      for (Future<Path> f : results) {
        assertThat(Files.readAllBytes(f.get(10, TimeUnit.SECONDS))).isEqualTo(o.content());
      }
      assertThat(loads.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void get_whenTheLoaderFails_everyWaiterSeesTheFailure_andALaterCallRetries() throws Exception {
    Obj o = Obj.of(10, 'e');
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThatThrownBy(
              () ->
                  cache.get(
                      o.hash(),
                      ObjectType.FILE,
                      () -> {
                        throw new java.io.IOException("server says no");
                      }))
          .hasMessage("server says no");
      assertThat(cache.get(o.hash(), ObjectType.FILE, () -> put(cache, o))).exists();
    }
  }

  @Test
  void cleanClose_removesTheMarker_andTheNextOpenTrustsTheObjects() throws Exception {
    Obj a = Obj.of(3000, 'a');
    Path pa;
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThat(root.resolve(ObjectCache.DIRTY)).exists();
      pa = put(cache, a);
    }
    assertThat(root.resolve(ObjectCache.DIRTY)).doesNotExist();
    flipByte(pa, 100); // not noticed: after a clean close nothing is read back to be checked
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThat(cache.openedAfterUncleanShutdown()).isFalse();
      assertThat(cache.find(a.hash(), ObjectType.FILE)).contains(pa);
      assertThat(cache.discarded()).isZero();
    }
  }

  /** Power loss: renamed files may come back short, zeroed or garbage; none of them is served. */
  @Test
  void afterAnUncleanShutdown_damagedObjectsAreDeletedOnFirstUse_andFetchedAgain()
      throws Exception {
    Obj truncated = Obj.of(3000, 't');
    Obj zeroed = Obj.of(3000, 'z');
    Obj flipped = Obj.of(3000, 'f');
    Obj emptied = Obj.of(3000, 'e');
    Obj intact = Obj.of(3000, 'i');
    ObjectCache crashed = ObjectCache.open(root, 0); // never closed: the process "died"
    Path pt = put(crashed, truncated);
    Path pz = put(crashed, zeroed);
    Path pf = put(crashed, flipped);
    Path pe = put(crashed, emptied);
    Path pi = put(crashed, intact);
    assertThat(root.resolve(ObjectCache.DIRTY)).exists();
    try (FileChannel ch = FileChannel.open(pt, StandardOpenOption.WRITE)) {
      ch.truncate(1000);
    }
    Files.write(pz, new byte[3000]);
    flipByte(pf, 2999);
    Files.write(pe, new byte[0]);

    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThat(cache.openedAfterUncleanShutdown()).isTrue();
      for (Obj bad : List.of(truncated, zeroed, flipped, emptied)) {
        assertThat(cache.find(bad.hash(), ObjectType.FILE)).isEmpty();
        Path again = cache.get(bad.hash(), ObjectType.FILE, () -> put(cache, bad));
        assertThat(Files.readAllBytes(again)).isEqualTo(bad.content());
      }
      assertThat(cache.discarded()).isEqualTo(4);
      assertThat(Files.readAllBytes(cache.find(intact.hash(), ObjectType.FILE).orElseThrow()))
          .isEqualTo(intact.content());
      assertThat(files("data")).hasSize(5);
      assertThat(cache.usedBytes()).isEqualTo(5 * 3000);
    }
    // every object was checked or replaced: the close was clean
    assertThat(root.resolve(ObjectCache.DIRTY)).doesNotExist();
    assertThat(pi).exists();
  }

  @Test
  void afterAnUncleanShutdown_aCloseBeforeEveryObjectIsCheckedKeepsTheMarker() throws Exception {
    Obj a = Obj.of(3000, 'a');
    Obj b = Obj.of(3000, 'b');
    ObjectCache crashed = ObjectCache.open(root, 0);
    put(crashed, a);
    Path pb = put(crashed, b);
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThat(cache.find(a.hash(), ObjectType.FILE)).isPresent();
    }
    assertThat(root.resolve(ObjectCache.DIRTY)).as("b is still unchecked").exists();
    flipByte(pb, 0);
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      assertThat(cache.openedAfterUncleanShutdown()).isTrue();
      assertThat(cache.find(b.hash(), ObjectType.FILE)).isEmpty();
      assertThat(cache.find(a.hash(), ObjectType.FILE)).isPresent();
    }
    assertThat(root.resolve(ObjectCache.DIRTY)).doesNotExist();
  }

  @Test
  void getAsync_sharesOneLoadWithReaders_andAReaderRunsAQueuedLoadItself() throws Exception {
    Obj o = Obj.of(5000, 'q');
    AtomicInteger loads = new AtomicInteger();
    List<Runnable> queue = new ArrayList<>(); // an executor that never runs anything by itself
    try (ObjectCache cache = ObjectCache.open(root, 0)) {
      ObjectCache.Loader loader =
          () -> {
            loads.incrementAndGet();
            return put(cache, o);
          };
      var first = cache.getAsync(o.hash(), ObjectType.FILE, loader, queue::add);
      var second = cache.getAsync(o.hash(), ObjectType.FILE, loader, queue::add);
      assertThat(queue).hasSize(1);
      assertThat(first).isNotDone();
      Path read = cache.get(o.hash(), ObjectType.FILE, loader); // takes the queued load over
      assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(read);
      assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(read);
      queue.get(0).run(); // the pool reaches it later: nothing left to do
      assertThat(loads.get()).isEqualTo(1);
      assertThat(cache.getAsync(o.hash(), ObjectType.FILE, loader, queue::add)).isCompleted();
    }
  }

  @Test
  void close_failsBackgroundLoadsNeverStarted_andRefusesNewOnes() throws Exception {
    Obj o = Obj.of(100, 'c');
    List<Runnable> queue = new ArrayList<>();
    ObjectCache cache = ObjectCache.open(root, 0);
    var queued = cache.getAsync(o.hash(), ObjectType.FILE, () -> put(cache, o), queue::add);
    cache.close();
    assertThat(queued).isCompletedExceptionally();
    queue.get(0).run(); // a pool that runs it late: nothing happens
    assertThat(files("data")).isEmpty();
    assertThat(cache.getAsync(o.hash(), ObjectType.FILE, () -> put(cache, o), Runnable::run))
        .isCompletedExceptionally();
    assertThat(files("data")).isEmpty();
  }

  static void flipByte(Path file, long at) throws java.io.IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
      ch.read(b, at);
      b.flip();
      b.put(0, (byte) (b.get(0) ^ 0x40));
      ch.write(b, at);
    }
  }
}
