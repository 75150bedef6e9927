package io.cvmfsthin.driver.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LayerLocksTest {
  @Test
  void differentIds_doNotWaitForEachOther() throws Exception {
    LayerLocks locks = new LayerLocks();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (LayerLocks.Held a = locks.lock("a")) {
      // with 64 stripes some other id always shared a's stripe; here none can
      for (int i = 0; i < 1000; i++) {
        String id = "other-" + i;
        Future<Boolean> other =
            pool.submit(
                () -> {
                  try (LayerLocks.Held b = locks.lock(id)) {
                    return true;
                  }
                });
        assertThat(other.get(5, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(locks.size()).isZero();
  }

  @Test
  void sameId_isSerialised_andTheLockIsDroppedAfterTheLastUser() throws Exception {
    LayerLocks locks = new LayerLocks();
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    try {
      Future<?>[] fs = new Future<?>[threads];
      for (int t = 0; t < threads; t++) {
        fs[t] =
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 200; i++) {
                    try (LayerLocks.Held h = locks.lock("same")) {
                      maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                      Thread.onSpinWait();
                      inside.decrementAndGet();
                    }
                  }
                  return null;
                });
      }
      start.countDown();
      for (Future<?> f : fs) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(maxInside.get()).isEqualTo(1);
    assertThat(locks.size()).isZero();
  }

  @Test
  void reentrant_forTheSameThread() {
    LayerLocks locks = new LayerLocks();
    try (LayerLocks.Held outer = locks.lock("x");
        LayerLocks.Held inner = locks.lock("x")) {
      assertThat(locks.size()).isEqualTo(1);
    }
    assertThat(locks.size()).isZero();
  }
}
