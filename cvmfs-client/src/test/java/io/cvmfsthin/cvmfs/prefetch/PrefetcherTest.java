package io.cvmfsthin.cvmfs.prefetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrefetcherTest {
  private static final String A = "/.layers/ab/ab12/layerfs";
  private static final LayerDirs DIRS =
      new LayerDirs(List.of(new ChainKey.Layer("r.example.org", A)));

  /** Fetches complete only when the test says so. */
  private static final class ManualFetch implements ObjectFetch {
    final List<String> started = new ArrayList<>();
    final List<CompletableFuture<Void>> futures = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<?> fetchFile(String fqrn, String path) {
      started.add(path);
      CompletableFuture<Void> f = new CompletableFuture<>();
      futures.add(f);
      return f;
    }

    synchronized void completeNext() {
      for (CompletableFuture<Void> f : futures) {
        if (!f.isDone()) {
          f.complete(null);
          return;
        }
      }
    }
  }

  private static List<Prefetcher.Target> targets(int n) {
    List<Prefetcher.Target> t = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      t.add(new Prefetcher.Target("r.example.org", A + "/f" + i));
    }
    return t;
  }

  @Test
  void start_keepsAtMostParallelInFlight_inListOrder() {
    ManualFetch fetch = new ManualFetch();
    Prefetcher p = new Prefetcher(targets(10), fetch, 3);
    p.start();
    assertThat(fetch.started).containsExactly(A + "/f0", A + "/f1", A + "/f2");
    fetch.completeNext();
    assertThat(fetch.started).hasSize(4).endsWith(A + "/f3");
    for (int i = 0; i < 9; i++) {
      fetch.completeNext();
    }
    assertThat(p.done()).isCompletedWithValue(new Prefetcher.Counts(10, 10, 0, 0, 0));
  }

  @Test
  void stop_startsNothingNew_andCancelsWhatIsInFlight() {
    ManualFetch fetch = new ManualFetch();
    Prefetcher p = new Prefetcher(targets(10), fetch, 2);
    p.start();
    fetch.completeNext();
    p.stop();
    assertThat(fetch.started).hasSize(3);
    assertThat(p.done()).isCompleted();
    assertThat(p.done().join()).isEqualTo(new Prefetcher.Counts(10, 1, 0, 0, 9));
    fetch.completeNext();
    assertThat(fetch.started).hasSize(3);
  }

  @Test
  void missingAndFailingFiles_areCounted_andDoNotStopTheRest() throws Exception {
    ObjectFetch fetch =
        (fqrn, path) ->
            path.endsWith("1")
                ? CompletableFuture.failedFuture(new NoSuchFileException(path))
                : path.endsWith("2")
                    ? CompletableFuture.failedFuture(new java.io.IOException("server down"))
                    : CompletableFuture.completedFuture(null);
    Prefetcher p = new Prefetcher(targets(3), fetch, 8);
    p.start();
    assertThat(p.done().get(5, TimeUnit.SECONDS)).isEqualTo(new Prefetcher.Counts(3, 1, 1, 1, 0));
  }

  @Test
  void aHundredThousandFetchesThatCompleteAtOnce_doNotRecurse() throws Exception {
    Prefetcher p =
        new Prefetcher(
            targets(PrefetchList.MAX_ENTRIES),
            (fqrn, path) -> CompletableFuture.completedFuture(null),
            16);
    p.start();
    assertThat(p.done().get(30, TimeUnit.SECONDS).fetched()).isEqualTo(PrefetchList.MAX_ENTRIES);
  }

  @Test
  void plan_dropsEntriesOutsideTheImage() {
    PrefetchList list =
        new PrefetchList(
            List.of(A + "/usr/bin/sh", "/etc/shadow", "/.layers/zz/zz99/layerfs/x", A + "/lib"));
    assertThat(Prefetcher.plan(list, DIRS))
        .containsExactly(
            new Prefetcher.Target("r.example.org", A + "/usr/bin/sh"),
            new Prefetcher.Target("r.example.org", A + "/lib"));
  }

  @Test
  void emptyPlan_isDoneAtOnce() {
    Prefetcher p = new Prefetcher(List.of(), (f, path) -> new CompletableFuture<>(), 4);
    p.start();
    assertThat(p.done()).isCompletedWithValue(new Prefetcher.Counts(0, 0, 0, 0, 0));
  }
}
