package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17 through Docker: the plugin's entry point is {@code supervise -- serve}, so a {@code kill
 * -9} of the serving JVM inside the plugin leaves the CVMFS mounts alive and a new worker takes
 * them over. A container of a thin image reads its (uncached) files in a loop, hash-checked, from
 * its working directory inside the image, with one file held open, while the worker is killed three
 * times: no read fails, the held file reads on, the container exits 0 (before issue 17 it died at
 * once with SIGBUS, status 135).
 */
@Tag("registry")
@Tag("docker")
@Tag("fuse")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginWorkerKilledIT {
  static final String FQRN = "crash.e2e.local";
  static final int FILES = 80;
  static final int KILLS = 3;

  Path work;
  LocalRegistry registry;
  NginxStratum stratum;
  PrivateDockerd reference;
  PluginDaemon daemon;
  PrivateDockerd docker;
  String thin;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    registry = new LocalRegistry(work.resolve("registry")).start();
    Path storage = work.resolve("stratum");
    Path keys = work.resolve("keys");
    Cli.createRepository(storage, keys, FQRN);
    stratum = new NginxStratum(work.resolve("nginx"), storage).start();
    reference = new PrivateDockerd(work.resolve("overlay2")).start("overlay2");
    TestImages.importBusybox(reference, work.resolve("img"), "test/base:1");
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        String.join(
            "\n",
            "FROM test/base:1",
            "RUN mkdir /data && cd /data && for i in $(seq "
                + FILES
                + "); do dd if=/dev/urandom of=f$i bs=65536 count=2 2>/dev/null; done"
                + " && dd if=/dev/urandom of=held bs=1048576 count=3 2>/dev/null"
                + " && sha256sum f* > /sums",
            "WORKDIR /data",
            ""));
    String source = registry.address() + "/e2e/crash:1";
    TestImages.build(reference, ctx, source);
    reference.dockerOk("push", source);
    Cli.convert(source, storage, keys, FQRN);
    thin = registry.address() + "/e2e/crash_thin:1";
    daemon = PluginDaemon.start(work.resolve("plugin"), List.of());
    docker = daemon.docker();
    daemon.configureRepository(FQRN, keys.resolve(FQRN + ".pub"), stratum.serverUrl());
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, daemon, reference, stratum, registry);
  }

  @Test
  void servingProcessKilled_runningThinContainerKeepsReading() throws Exception {
    String script =
        String.join(
            "\n",
            "exec 3< held",
            "head -c 1000 <&3 >/dev/null",
            "i=0",
            "while [ ! -e /stop ]; do",
            "  i=$((i % " + FILES + " + 1))",
            "  grep \" f$i\\$\" /sums | sha256sum -c -s - || echo FAILED f$i",
            "  echo read f$i",
            "  sleep 0.1",
            "done",
            "cat <&3 > /tmp/rest || echo FAILED held",
            "n=$(wc -c < /tmp/rest)",
            "tail -c $n held | cmp - /tmp/rest && echo HELD-OK $n",
            "echo done");
    String c = docker.dockerOk("run", "-d", "--network", "none", thin, "sh", "-c", script);
    awaitReads(c, 5);
    List<Long> killed = new ArrayList<>();
    for (int k = 0; k < KILLS; k++) {
      long worker = workerPid(120);
      Cmd.run("kill", "-9", String.valueOf(worker)).orThrow();
      killed.add(worker);
      int before = reads(c);
      awaitNewWorker(killed, 120);
      awaitReads(c, before + 10); // bounded: a hung read fails here
    }
    awaitReads(c, FILES + 1); // every file read at least once, some first after the kills
    docker.dockerOk("exec", c, "touch", "/stop");
    for (int i = 0; i < 240 && running(c); i++) {
      Thread.sleep(250);
    }
    assertThat(running(c)).as("the container's loop ends within 60 s").isFalse();
    String logs = docker.dockerOk("logs", c);
    assertThat(docker.dockerOk("inspect", "--format", "{{.State.ExitCode}}", c)).isEqualTo("0");
    assertThat(logs).doesNotContain("FAILED").contains("HELD-OK").contains("done");
    assertThat(daemon.pluginPids()).as("the supervisor was never restarted").hasSize(1);
    docker.dockerOk("rm", "-f", c);
  }

  private int reads(String c) {
    return (int) docker.dockerOk("logs", c).lines().filter(l -> l.startsWith("read ")).count();
  }

  private void awaitReads(String c, int n) throws InterruptedException {
    for (int i = 0; i < 480 && reads(c) < n; i++) {
      assertThat(running(c)).as("container still running").isTrue();
      Thread.sleep(250);
    }
    assertThat(reads(c)).as("files read within 120 s (no hang)").isGreaterThanOrEqualTo(n);
  }

  private boolean running(String c) {
    return docker.dockerOk("inspect", "--format", "{{.State.Running}}", c).equals("true");
  }

  private void awaitNewWorker(List<Long> killed, int seconds) throws Exception {
    for (int i = 0; i < seconds * 4; i++) {
      List<Long> w = workers();
      if (!w.isEmpty() && !killed.contains(w.get(0))) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no new plugin worker within " + seconds + " s");
  }

  private long workerPid(int seconds) throws Exception {
    for (int i = 0; i < seconds * 4; i++) {
      List<Long> w = workers();
      if (w.size() == 1) {
        return w.get(0);
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no single plugin worker: " + workers());
  }

  /** The serving JVMs: children of the plugin's supervisor (the JVM the shim started). */
  private List<Long> workers() throws IOException {
    List<Long> supervisors = daemon.pluginPids();
    List<Long> out = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
          if (!cmdline.contains("io.cvmfsthin.plugin.Main serve")) {
            continue;
          }
          String stat = Files.readString(p.resolve("stat"));
          long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
          if (supervisors.contains(ppid)) {
            out.add(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException gone) {
          // ended while we looked
        }
      }
    }
    return out;
  }
}
