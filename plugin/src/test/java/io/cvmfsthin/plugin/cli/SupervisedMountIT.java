package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code supervise -- mount}: the mount outlives its serving process. Readers go on while the
 * worker is killed with SIGKILL again and again and then handed over with SIGHUP: every file read
 * whole has the bytes of the fixture (sha256 of the stock client's listing), a file held open since
 * before the first kill (O_DIRECT, so each read reaches the worker) stays readable, a shell whose
 * current directory is inside the mount goes on, no read fails (no ENOTCONN, no EIO: this kernel
 * resends), and none hangs (every round is bounded by a timeout). The cache starts empty, so the
 * 2000 small files are fetched as the kills happen.
 */
@Tag("fuse")
@Tag("root")
class SupervisedMountIT {
  static final Path FIXTURES = SharedFixtures.realRepo();
  static final Path JAR = Path.of("target", "cvmfs-thin.jar");
  static final String FQRN = "fixture.example.org";
  static final String CHUNKED = "data/random-hex-1.5MiB.txt";
  static final String WHOLE = "data/random-300KiB.bin";
  static final int KILLS = 3;

  @BeforeAll
  static void capabilities() {
    assertThat(System.getProperty("user.name")).as("needs root to mount FUSE").isEqualTo("root");
    assertThat(Path.of("/dev/fuse")).as("needs /dev/fuse").exists();
    assertThat(JAR).as("the shaded jar (mvn package)").exists();
  }

  @Test
  void workerKilledAndHandedOver_readersGetEveryByteAndNoError(@TempDir Path tmp) throws Exception {
    Map<String, String> sha = expectedHashes();
    Path mnt = tmp.resolve("mnt");
    Path log = tmp.resolve("supervise.log");
    Process supervisor = start(tmp, mnt, log);
    ExecutorService readers = Executors.newFixedThreadPool(3);
    Process shell = null;
    try {
      awaitLogCount(log, "mounted " + FQRN, 1, supervisor);
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicInteger smallRead = new AtomicInteger();
      AtomicInteger heldRounds = new AtomicInteger();
      List<String> small = sha.keySet().stream().filter(p -> p.startsWith("many/")).toList();

      // held open (O_DIRECT: every read is a FUSE READ) from before the first kill to the end
      FileChannel held =
          FileChannel.open(
              mnt.resolve(CHUNKED), StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
      FileChannel heldWhole = FileChannel.open(mnt.resolve(WHOLE), StandardOpenOption.READ);
      Future<?> a =
          readers.submit(
              () -> {
                for (int i = 0; !stop.get(); i = (i + 1) % small.size()) {
                  check(mnt, small.get(i), sha, failures);
                  smallRead.incrementAndGet();
                }
                return null;
              });
      Future<?> b =
          readers.submit(
              () -> {
                while (!stop.get()) {
                  checkHeld(held, CHUNKED, sha, failures, true);
                  checkHeld(heldWhole, WHOLE, sha, failures, false);
                  check(mnt, "nested/deeper/zeros-600KiB.bin", sha, failures);
                  heldRounds.incrementAndGet();
                }
                return null;
              });
      shell = shellLoop(tmp, mnt, sha);

      for (int k = 1; k <= KILLS; k++) {
        int before = smallRead.get();
        awaitProgress(smallRead, before + 20, supervisor);
        killWorker(log);
        awaitLogCount(log, "took over " + FQRN, k, supervisor);
      }
      awaitProgress(smallRead, smallRead.get() + 20, supervisor);
      new ProcessBuilder("kill", "-HUP", Long.toString(supervisor.pid())).start().waitFor();
      awaitLogCount(log, "handed over to", 1, supervisor);
      int afterHandover = smallRead.get();
      int heldAfter = heldRounds.get();
      awaitProgress(smallRead, afterHandover + 20, supervisor);
      awaitProgress(heldRounds, heldAfter + 2, supervisor);

      stop.set(true);
      a.get(60, TimeUnit.SECONDS); // a hung read fails here
      b.get(60, TimeUnit.SECONDS);
      Files.writeString(tmp.resolve("stop"), "");
      assertThat(shell.waitFor(60, TimeUnit.SECONDS)).as("the shell loop ends").isTrue();
      held.close();
      heldWhole.close();

      String shellOut = Files.readString(tmp.resolve("shell.out"));
      assertThat(failures).as("reads that failed or read wrong bytes").isEmpty();
      assertThat(shellOut).doesNotContain("FAILED").doesNotContain("Transport endpoint");
      assertThat(shellOut.lines().filter(l -> l.equals("round")).count())
          .as("shell rounds in the mount's directory")
          .isGreaterThan(2);
      String text = Files.readString(log);
      assertThat(count(text, "pending requests resent")).isEqualTo(KILLS + 1);
      assertThat(text).contains("reopened /" + CHUNKED + " after a restart");
      assertThat(count(text, "supervisor: worker")).isGreaterThanOrEqualTo(KILLS);
    } finally {
      readers.shutdownNow();
      if (shell != null) {
        shell.destroyForcibly();
      }
      stopSupervisor(supervisor, mnt);
    }
    assertThat(supervisor.exitValue()).as("supervisor status after SIGTERM").isZero();
    assertThat(isMounted(mnt)).isFalse();
  }

  @Test
  void externalUmount_endsWorkerAndSupervisorWithZero(@TempDir Path tmp) throws Exception {
    Path mnt = tmp.resolve("mnt");
    Path log = tmp.resolve("supervise.log");
    Process supervisor = start(tmp, mnt, log);
    try {
      awaitLogCount(log, "mounted " + FQRN, 1, supervisor);
      killWorker(log);
      awaitLogCount(log, "took over " + FQRN, 1, supervisor);
      assertThat(new ProcessBuilder("umount", mnt.toString()).start().waitFor()).isZero();
      assertThat(supervisor.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(supervisor.exitValue()).isZero();
      assertThat(Files.readString(log)).contains(mnt + " unmounted, its descriptors closed");
    } finally {
      stopSupervisor(supervisor, mnt);
    }
  }

  private static void check(
      Path mnt, String path, Map<String, String> sha, ConcurrentLinkedQueue<String> failures) {
    try (InputStream in = Files.newInputStream(mnt.resolve(path))) {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
      String got = HexFormat.of().formatHex(d.digest());
      if (!got.equals(sha.get(path))) {
        failures.add(path + ": sha256 " + got);
      }
    } catch (Exception e) {
      failures.add(path + ": " + e);
    }
  }

  /** Reads all of {@code ch} by position (aligned for O_DIRECT) and compares its sha256. */
  private static void checkHeld(
      FileChannel ch,
      String path,
      Map<String, String> sha,
      ConcurrentLinkedQueue<String> failures,
      boolean direct) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      ByteBuffer buf =
          direct
              ? ByteBuffer.allocateDirect(2 << 20).alignedSlice(4096).limit(1 << 20)
              : ByteBuffer.allocate(1 << 20);
      long pos = 0;
      while (true) {
        buf.clear().limit(1 << 20);
        int n = ch.read(buf, pos);
        if (n <= 0) {
          break;
        }
        buf.flip();
        d.update(buf);
        pos += n;
      }
      String got = HexFormat.of().formatHex(d.digest());
      if (!got.equals(sha.get(path))) {
        failures.add(path + " (held open): sha256 " + got + " after " + pos + " bytes");
      }
    } catch (Exception e) {
      failures.add(path + " (held open): " + e);
    }
  }

  /** A shell whose current directory is in the mount, checking files by relative paths. */
  private static Process shellLoop(Path tmp, Path mnt, Map<String, String> sha) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String p : List.of("file.txt", "deeper/file.txt", "sub/plain.txt", "../" + WHOLE)) {
      String full = p.startsWith("../") ? p.substring(3) : "nested/" + p;
      lines.add(sha.get(full) + "  " + p);
    }
    Files.write(tmp.resolve("sums"), lines);
    String script =
        "while [ ! -e "
            + tmp.resolve("stop")
            + " ]; do timeout 60 sha256sum --quiet -c "
            + tmp.resolve("sums")
            + " || echo FAILED; ls >/dev/null || echo FAILED; echo round; sleep 0.2; done";
    return new ProcessBuilder("sh", "-c", script)
        .directory(mnt.resolve("nested").toFile())
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("shell.out").toFile())
        .start();
  }

  private static Map<String, String> expectedHashes() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line :
        Files.readAllLines(FIXTURES.resolve("expected").resolve(FQRN + "-rev3.tsv"))) {
      String[] f = line.split("\t");
      if (f.length > 6 && f[1].equals("f") && !f[0].endsWith(".cvmfscatalog")) {
        out.put(f[0], f[6]);
      }
    }
    assertThat(out).containsKeys(CHUNKED, WHOLE, "many/f1999.txt");
    return out;
  }

  private static Process start(Path tmp, Path mnt, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            List.of(
                java,
                "-jar",
                JAR.toString(),
                "supervise",
                "--state-dir",
                tmp.resolve("state").toString(),
                "--",
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
        .redirectOutput(log.toFile())
        .start();
  }

  /** SIGKILL to the worker the supervisor started last, and waits until it is gone. */
  private static void killWorker(Path log) throws Exception {
    Matcher m = Pattern.compile("started worker (\\d+)").matcher(Files.readString(log));
    long pid = -1;
    while (m.find()) {
      pid = Long.parseLong(m.group(1));
    }
    assertThat(pid).as("a worker was started").isPositive();
    assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
    for (int i = 0;
        i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        i++) {
      Thread.sleep(100);
    }
  }

  private static void awaitLogCount(Path log, String text, int n, Process supervisor)
      throws Exception {
    for (int i = 0; i < 1200; i++) {
      if (count(Files.readString(log), text) >= n) {
        return;
      }
      assertThat(supervisor.isAlive()).as("supervisor exited early").isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("no " + n + "x '" + text + "' in 120 s:\n" + Files.readString(log));
  }

  private static void awaitProgress(AtomicInteger counter, int target, Process supervisor)
      throws Exception {
    for (int i = 0; i < 1200 && counter.get() < target; i++) {
      assertThat(supervisor.isAlive()).as("supervisor exited early").isTrue();
      Thread.sleep(100);
    }
    assertThat(counter.get())
        .as("readers made progress within 120 s")
        .isGreaterThanOrEqualTo(target);
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static void stopSupervisor(Process supervisor, Path mnt) throws Exception {
    if (supervisor.isAlive()) {
      supervisor.destroy(); // SIGTERM: the worker unmounts
      if (!supervisor.waitFor(60, TimeUnit.SECONDS)) {
        supervisor.descendants().forEach(ProcessHandle::destroyForcibly);
        supervisor.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (isMounted(mnt)) {
      new ProcessBuilder("umount", "-l", mnt.toString()).inheritIO().start().waitFor();
    }
  }

  private static boolean isMounted(Path mnt) throws IOException {
    String abs = mnt.toAbsolutePath().toString();
    return Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8).stream()
        .anyMatch(l -> l.split(" ")[4].equals(abs));
  }
}
