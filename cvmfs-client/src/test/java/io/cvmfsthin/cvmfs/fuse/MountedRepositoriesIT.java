package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.SharedFixtures;
import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's view: reference-counted mounts, stale mount points, new revisions. */
@Tag("fuse")
@Tag("root")
class MountedRepositoriesIT {
  @BeforeAll
  static void capabilities() {
    FuseTests.requireFuseAndRoot();
  }

  static MountedRepositories.SettingsResolver fixture(String url, Path cache) {
    return new MountedRepositories.SettingsResolver() {
      @Override
      public boolean isConfigured(String fqrn) {
        return fqrn.equals(FuseTests.FQRN);
      }

      @Override
      public ClientSettings settings(String fqrn) throws IOException {
        return FuseTests.fixtureSettings(fqrn, url, cache).build();
      }
    };
  }

  @Test
  void acquire_mountsOnce_lastReleaseUnmounts(@TempDir Path tmp) throws Exception {
    try (HttpStratum stratum = HttpStratum.serve(FuseTests.FIXTURES);
        MountedRepositories repos =
            new MountedRepositories(
                tmp.resolve("cvmfs"),
                fixture(stratum.url(FuseTests.FQRN), tmp.resolve("cache")),
                TransportOptions.LAYER_VIEW)) {
      Path a = repos.acquire(FuseTests.FQRN);
      Path b = repos.acquire(FuseTests.FQRN);
      assertThat(a).isEqualTo(b).isEqualTo(tmp.resolve("cvmfs").resolve(FuseTests.FQRN));
      assertThat(repos.users(FuseTests.FQRN)).isEqualTo(2);
      assertThat(a.resolve(FuseTests.LAYER.substring(1)).resolve("var/lib/app/deleted-file"))
          .exists();
      repos.release(FuseTests.FQRN);
      assertThat(Unmounter.isMountPoint(a)).isTrue();
      repos.release(FuseTests.FQRN);
      assertThat(Unmounter.isMountPoint(a)).isFalse();
      assertThat(repos.isConfigured("other.example.org")).isFalse();
      assertThatThrownBy(() -> repos.acquire("other.example.org"))
          .isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining("not configured");

      repos.acquire(FuseTests.FQRN);
      // unmounted from outside: the next acquire mounts again
      assertThat(Unmounter.unmount(a)).isEqualTo(Unmounter.Result.UNMOUNTED);
      Thread.sleep(200);
      repos.acquire(FuseTests.FQRN);
      assertThat(a.resolve("README.txt")).exists();
    }
    assertThat(Unmounter.isMountPoint(tmp.resolve("cvmfs").resolve(FuseTests.FQRN))).isFalse();
  }

  @Test
  void refusedUnmount_isKept_theMountReused_andTheNextReleaseUnmounts(@TempDir Path tmp)
      throws Exception {
    Path base = tmp.resolve("cvmfs");
    Path moved = tmp.resolve("moved");
    Path mnt = base.resolve(FuseTests.FQRN);
    try (HttpStratum stratum = HttpStratum.serve(FuseTests.FIXTURES);
        MountedRepositories repos =
            new MountedRepositories(
                base,
                fixture(stratum.url(FuseTests.FQRN), tmp.resolve("cache")),
                TransportOptions.LAYER_VIEW)) {
      repos.acquire(FuseTests.FQRN);
      Files.move(base, moved); // the mount moves along: umount2(<base>/<fqrn>) fails, ENOENT
      repos.release(FuseTests.FQRN);

      assertThat(repos.unmountFailure(FuseTests.FQRN))
          .hasValueSatisfying(
              e ->
                  assertThat(e)
                      .hasMessageContaining("cannot unmount " + FuseTests.FQRN + " from " + mnt)
                      .hasMessageContaining("errno 2"));
      assertThat(Unmounter.isMountPoint(moved.resolve(FuseTests.FQRN))).isTrue();

      Files.move(moved, base);
      assertThat(repos.acquire(FuseTests.FQRN)).isEqualTo(mnt);
      assertThat(mnt.resolve("README.txt")).as("the kept mount serves again").exists();
      repos.release(FuseTests.FQRN);

      assertThat(repos.unmountFailure(FuseTests.FQRN)).isEmpty();
      assertThat(Unmounter.isMountPoint(mnt)).isFalse();
    } finally {
      if (Unmounter.isMountPoint(moved.resolve(FuseTests.FQRN))) {
        Unmounter.detach(moved.resolve(FuseTests.FQRN)); // the test failed half-way
      }
    }
  }

  @Test
  void withLinger_aReacquireReusesTheMount_andItGoesAfterTheLingerTime(@TempDir Path tmp)
      throws Exception {
    java.util.concurrent.atomic.AtomicInteger mounts =
        new java.util.concurrent.atomic.AtomicInteger();
    try (HttpStratum stratum = HttpStratum.serve(FuseTests.FIXTURES);
        MountedRepositories repos =
            new MountedRepositories(
                tmp.resolve("cvmfs"),
                fixture(stratum.url(FuseTests.FQRN), tmp.resolve("cache")),
                TransportOptions.LAYER_VIEW,
                (settings, mountPoint, options) -> {
                  mounts.incrementAndGet();
                  return RepositoryMount.mount(settings, mountPoint, options);
                },
                java.time.Duration.ofMillis(3000))) {
      Path a = repos.acquire(FuseTests.FQRN);
      repos.release(FuseTests.FQRN);
      long released = System.nanoTime();
      assertThat(Unmounter.isMountPoint(a)).as("lingers after the last release").isTrue();
      Thread.sleep(500);
      repos.acquire(FuseTests.FQRN);
      assertThat(a.resolve("README.txt")).exists();
      Thread.sleep(1500);
      repos.release(FuseTests.FQRN); // due 3 s from now, about 5 s after the first release
      assertThat(mounts.get()).as("the second acquire reused the mount").isEqualTo(1);
      Thread.sleep(Math.max(0, 3_600 - (System.nanoTime() - released) / 1_000_000));
      assertThat(Unmounter.isMountPoint(a))
          .as("the first release's unmount, due now, was called off by the re-acquire")
          .isTrue();
      long end = System.nanoTime() + 10_000_000_000L;
      while (Unmounter.isMountPoint(a) && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      assertThat(Unmounter.isMountPoint(a))
          .as("unmounted once unused for the linger time")
          .isFalse();
      repos.acquire(FuseTests.FQRN);
      assertThat(mounts.get()).isEqualTo(2);
    }
    assertThat(Unmounter.isMountPoint(tmp.resolve("cvmfs").resolve(FuseTests.FQRN))).isFalse();
  }

  @Test
  void staleMountOfADeadProcess_isDetachedAndMountedAgain(@TempDir Path tmp) throws Exception {
    Path mnt = tmp.resolve("cvmfs").resolve(FuseTests.FQRN);
    try (HttpStratum stratum = HttpStratum.serve(FuseTests.FIXTURES)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-D"
                          + SharedFixtures.PROPERTY
                          + "="
                          + System.getProperty(SharedFixtures.PROPERTY),
                      "-cp",
                      System.getProperty("java.class.path"),
                      StaleMountMain.class.getName(),
                      stratum.url(FuseTests.FQRN),
                      tmp.resolve("cache1").toString(),
                      mnt.toString()))
              .redirectErrorStream(true)
              .start();
      try {
        BufferedReader out =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("MOUNTED")) {
          // logging of the child
        }
        assertThat(line).as("child mounted").startsWith("MOUNTED");
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(Unmounter.isMountPoint(mnt)).isTrue();
        assertThatThrownBy(() -> Files.list(mnt).close()).hasMessageContaining("not connected");

        try (MountedRepositories repos =
            new MountedRepositories(
                tmp.resolve("cvmfs"),
                fixture(stratum.url(FuseTests.FQRN), tmp.resolve("cache2")),
                TransportOptions.PLAIN)) {
          assertThat(repos.acquire(FuseTests.FQRN).resolve("README.txt")).exists();
        }
        assertThat(Unmounter.isMountPoint(mnt)).isFalse();
      } finally {
        p.destroyForcibly();
        if (Unmounter.isMountPoint(mnt)) {
          Unmounter.detach(mnt);
        }
      }
    }
  }

  @Test
  void newRevision_isShownAfterTheTtl_openFileKeepsItsRevision(@TempDir Path tmp) throws Exception {
    try (PublishedRepo repo =
        PublishedRepo.create(
            tmp.resolve("srv"), "rev.example.org", RepositorySettings.DEFAULT.withTtlSeconds(1))) {
      repo.publish("/", new PublishedRepo.Tar().file("a.txt", "first revision\n").bytes(), false);
      try (RepositoryMount m =
          RepositoryMount.mount(
              repo.settings(tmp.resolve("cache")).build(),
              tmp.resolve("mnt"),
              TransportOptions.PLAIN)) {
        Path a = m.mountPoint().resolve("a.txt");
        long before = m.client().revision();
        try (FileChannel old = FileChannel.open(a)) {
          repo.publish(
              "/",
              new PublishedRepo.Tar()
                  .file("a.txt", "second revision, longer\n")
                  .file("b.txt", "new\n")
                  .bytes(),
              false);
          String now = Files.readString(a);
          for (int i = 0; i < 100 && !now.startsWith("second"); i++) {
            Thread.sleep(100);
            now = Files.readString(a);
          }
          assertThat(now).isEqualTo("second revision, longer\n");
          assertThat(m.client().revision()).isGreaterThan(before);
          assertThat(m.mountPoint().resolve("b.txt")).hasContent("new");
          ByteBuffer buf = ByteBuffer.allocate(64);
          old.read(buf, 0);
          assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8))
              .isEqualTo("first revision\n");
        }
      }
    }
  }
}
