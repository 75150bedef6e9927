package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the kernel transport does: a file kept whole in the cache is read by the kernel from
 * the cached copy (FUSE passthrough) without one READ reaching this process, also through an
 * overlayfs stacked on the mount (the mount leaves a stacking level for it), while a chunked file
 * is read through the process with 1 MiB requests. Needs kernel 6.9+ with FUSE passthrough.
 */
@Tag("fuse")
@Tag("root")
class KernelTransportIT {
  private static final MountOptions KERNEL = MountOptions.PLAIN.withTransport(FuseTransport.KERNEL);

  @BeforeAll
  static void capabilities() {
    FuseTests.requireFuseAndRoot();
    assertThat(Path.of("/proc/filesystems")).as("overlayfs needed").content().contains("overlay");
  }

  @Test
  void wholeFiles_areReadByPassthrough_alsoUnderOverlayfs_chunkedOnesThroughTheDaemon(
      @TempDir Path tmp) throws Exception {
    byte[] whole = random(3 << 20, 1); // below the 4 MiB chunking minimum: one object
    byte[] chunked = random(40 << 20, 2); // several chunks
    PublishedRepo.Tar tar =
        new PublishedRepo.Tar()
            .dir("d", 0755)
            .file("d/whole.bin", 0644, 0, whole)
            .file("d/chunked.bin", 0644, 0, chunked)
            .file("d/small.txt", "small\n");
    try (PublishedRepo repo =
        PublishedRepo.create(
            tmp.resolve("srv"), "kernel.example.org", RepositorySettings.DEFAULT)) {
      repo.publish("/", tar.bytes(), false);
      try (RepositoryMount m =
          RepositoryMount.mount(
              repo.settings(tmp.resolve("cache")).build(), tmp.resolve("mnt"), KERNEL)) {
        Path d = m.mountPoint().resolve("d");
        assertThat(sha256(Files.readAllBytes(d.resolve("whole.bin")))).isEqualTo(sha256(whole));
        assertThat(Files.readString(d.resolve("small.txt"))).isEqualTo("small\n");
        assertThat(counter(m, "fuse_read")).as("reads that reached the daemon").isZero();
        assertThat(counter(m, "fuse_open")).isEqualTo(2);

        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path merged = Files.createDirectories(tmp.resolve("merged"));
        LayerViewOverlayIT.run(
            "mount",
            "-t",
            "overlay",
            "overlay",
            "-o",
            "lowerdir=" + d + ",upperdir=" + upper + ",workdir=" + work,
            merged.toString());
        try {
          assertThat(sha256(Files.readAllBytes(merged.resolve("whole.bin"))))
              .isEqualTo(sha256(whole));
          assertThat(Files.readString(merged.resolve("small.txt"))).isEqualTo("small\n");
          assertThat(counter(m, "fuse_read")).as("reads through overlayfs").isZero();
        } finally {
          LayerViewOverlayIT.run("umount", merged.toString());
        }

        assertThat(sha256(Files.readAllBytes(d.resolve("chunked.bin")))).isEqualTo(sha256(chunked));
        long reads = counter(m, "fuse_read");
        assertThat(reads).as("READs of a 40 MiB chunked file").isPositive().isLessThanOrEqualTo(60);
        assertThat(sha256(Files.readAllBytes(d.resolve("chunked.bin")))).isEqualTo(sha256(chunked));
        assertThat(counter(m, "fuse_read")).as("kept page cache: no new READs").isEqualTo(reads);
        assertThat(counter(m, "errors")).isZero();
      }
    }
  }

  private static long counter(RepositoryMount m, String name) {
    Matcher x = Pattern.compile("(?m)^" + name + "=(\\d+)$").matcher(m.counters());
    assertThat(x.find()).as(name + " in " + m.counters()).isTrue();
    return Long.parseLong(x.group(1));
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
