package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code mount} command as a process: it mounts the fixture repository, serves reads, and exits
 * 0 unmounted after SIGTERM or after an external umount.
 */
@Tag("fuse")
@Tag("root")
class MountCommandIT {
  static final Path FIXTURES = SharedFixtures.realRepo();
  static final Path JAR = Path.of("target", "cvmfs-thin.jar");
  static final String FQRN = "fixture.example.org";

  @BeforeAll
  static void capabilities() {
    assertThat(System.getProperty("user.name")).as("needs root to mount FUSE").isEqualTo("root");
    assertThat(Path.of("/dev/fuse")).as("needs /dev/fuse").exists();
    assertThat(JAR).as("the shaded jar (mvn package)").exists();
  }

  @Test
  void sigterm_unmountsAndExitsZero(@TempDir Path tmp) throws Exception {
    Path mnt = tmp.resolve("mnt");
    Process p = start(tmp, mnt);
    try {
      awaitMounted(mnt, p);
      assertThat(Files.readString(mnt.resolve("xattr-file.txt"))).isNotEmpty();
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      assertThat(isMounted(mnt)).isFalse();
    } finally {
      cleanup(p, mnt);
    }
  }

  @Test
  void externalUmount_endsTheCommandWithZero(@TempDir Path tmp) throws Exception {
    Path mnt = tmp.resolve("mnt");
    Process p = start(tmp, mnt);
    try {
      awaitMounted(mnt, p);
      Process u = new ProcessBuilder("umount", mnt.toString()).inheritIO().start();
      assertThat(u.waitFor()).isZero();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      cleanup(p, mnt);
    }
  }

  private static Process start(Path tmp, Path mnt) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            List.of(
                java,
                "-jar",
                JAR.toString(),
                "mount",
                "--url",
                FIXTURES.resolve("cvmfs").toUri() + "@fqrn@",
                "--key",
                FIXTURES.resolve("keys").resolve(FQRN + ".pub").toString(),
                "--cache",
                tmp.resolve("cache").toString(),
                FQRN,
                mnt.toString()))
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("mount.log").toFile())
        .start();
  }

  private static void awaitMounted(Path mnt, Process p) throws Exception {
    for (int i = 0; i < 300 && !isMounted(mnt); i++) {
      assertThat(p.isAlive()).as("mount command exited early").isTrue();
      Thread.sleep(100);
    }
    assertThat(isMounted(mnt)).as("mounted within 30 s").isTrue();
  }

  private static boolean isMounted(Path mnt) throws IOException {
    String abs = mnt.toAbsolutePath().toString();
    return Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8).stream()
        .anyMatch(l -> l.split(" ")[4].equals(abs));
  }

  private static void cleanup(Process p, Path mnt) throws Exception {
    if (p.isAlive()) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (isMounted(mnt)) {
      new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start().waitFor();
    }
  }
}
