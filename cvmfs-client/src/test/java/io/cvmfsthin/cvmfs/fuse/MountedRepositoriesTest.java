package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock scope of {@link MountedRepositories}, without FUSE: a mount in progress (here one that
 * waits for the test, then fails) holds no lock, and every acquire meanwhile shares it.
 */
class MountedRepositoriesTest {
  static final String FQRN = "slow.example.org";

  @TempDir Path tmp;
  final ExecutorService threads = Executors.newCachedThreadPool();
  final CountDownLatch mountMayEnd = new CountDownLatch(1);
  final CountDownLatch mountStarted = new CountDownLatch(1);
  final AtomicInteger mounts = new AtomicInteger();

  @AfterEach
  void stop() {
    mountMayEnd.countDown();
    threads.shutdownNow();
  }

  static final MountedRepositories.SettingsResolver CONFIGURED =
      new MountedRepositories.SettingsResolver() {
        @Override
        public boolean isConfigured(String fqrn) {
          return true;
        }

        @Override
        public ClientSettings settings(String fqrn) {
          return null; // the mounter of these tests reads none
        }
      };

  /** A mount that starts, waits for the test, and fails as a server that cannot be reached. */
  MountedRepositories.Mounter failingSlowly() {
    return (settings, mountPoint, options) -> {
      mounts.incrementAndGet();
      mountStarted.countDown();
      try {
        mountMayEnd.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException(FQRN + ": no server reachable");
    };
  }

  @Test
  void concurrentAcquires_shareOneMount_whileTheLockStaysFree() throws Exception {
    try (MountedRepositories repos =
        new MountedRepositories(tmp, CONFIGURED, MountOptions.LAYER_VIEW, failingSlowly())) {
      List<Future<Path>> acquires = new ArrayList<>();
      try {
        acquires.add(threads.submit(() -> repos.acquire(FQRN)));
        assertThat(mountStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 3; i++) {
          acquires.add(threads.submit(() -> repos.acquire(FQRN)));
        }
        // the repository's lock is free while it mounts: these would wait for the mount otherwise
        assertThat(
                CompletableFuture.supplyAsync(() -> repos.users(FQRN), threads)
                    .get(10, TimeUnit.SECONDS))
            .isZero();
        assertThat(
                CompletableFuture.supplyAsync(() -> safeRefresh(repos), threads)
                    .get(10, TimeUnit.SECONDS))
            .isEqualTo(-1);
      } finally {
        mountMayEnd.countDown(); // also when an assertion failed: close must not wait for it
      }
      for (Future<Path> f : acquires) {
        try {
          f.get(10, TimeUnit.SECONDS);
          throw new AssertionError("acquire succeeded without a mount");
        } catch (ExecutionException e) {
          assertThat(e.getCause())
              .isInstanceOf(IOException.class)
              .hasMessage(FQRN + ": no server reachable");
        }
      }
      assertThat(mounts).as("one mount for all four acquires").hasValue(1);
      assertThat(repos.users(FQRN)).isZero();
    }
  }

  @Test
  void afterAFailedMount_theNextAcquireTriesAgain() throws Exception {
    mountMayEnd.countDown();
    try (MountedRepositories repos =
        new MountedRepositories(tmp, CONFIGURED, MountOptions.LAYER_VIEW, failingSlowly())) {
      for (int i = 0; i < 2; i++) {
        try {
          repos.acquire(FQRN);
          throw new AssertionError("acquire succeeded without a mount");
        } catch (IOException e) {
          assertThat(e).hasMessageContaining("no server reachable");
        }
      }
      assertThat(mounts).hasValue(2);
    }
  }

  private static long safeRefresh(MountedRepositories repos) {
    try {
      return repos.refreshNow(FQRN);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
