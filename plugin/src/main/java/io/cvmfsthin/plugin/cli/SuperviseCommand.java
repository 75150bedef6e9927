package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.cvmfs.fuse.FuseTransport;
import io.cvmfsthin.cvmfs.fuse.handover.DescriptorStore;
import io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code supervise}: runs another command of this program ({@code mount}, {@code serve}, {@code
 * snapshotter}) as a worker process whose FUSE mounts outlive it. This process, small and doing
 * nothing else, keeps every mount's {@code /dev/fuse} descriptors ({@link DescriptorStore}); when
 * the worker dies (a crash, {@code kill -9}, the OOM killer) it starts a new one, which takes the
 * mounts over and has the kernel resend the requests the dead one held. SIGHUP hands over to a new
 * worker on purpose: the successor starts while the old one serves; when it asks for the first
 * mount, the old one stops reading, answers what it holds and exits, and the successor goes on
 * (within a minute at most, if the successor takes no mount). SIGTERM and SIGINT go to the worker,
 * which unmounts and exits; then this process exits with its status. A worker that exits 0 by
 * itself (its mount was unmounted) ends the supervisor too.
 */
@Command(
    name = "supervise",
    mixinStandardHelpOptions = true,
    description =
        "Run a command (mount, serve, snapshotter) as a worker whose FUSE mounts survive its"
            + " crash: restarted when it dies; SIGHUP hands over to a new worker.")
public final class SuperviseCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(SuperviseCommand.class);
  private static final long HANDOVER_MILLIS = 30_000;
  private static final long QUICK_DEATH_MILLIS = 10_000;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  @Option(
      names = "--state-dir",
      description =
          "Directory for the supervisor's socket and the mounts' node tables (default: a new"
              + " directory under /run/cvmfs-thin, removed at exit).")
  Path stateDir;

  @Parameters(
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "The worker's command line, e.g. mount --url ... FQRN DIR.")
  List<String> command = new ArrayList<>();

  private final Object lock = new Object(); // guards worker and stopping
  private Process worker; // the current worker; a predecessor handing over is not it
  private boolean stopping;

  @Override
  public Integer call() throws Exception {
    if (command.get(0).equals("supervise")) {
      throw new IllegalArgumentException("supervise cannot supervise itself");
    }
    boolean ownDir = stateDir == null;
    Path dir =
        ownDir
            ? Files.createTempDirectory(
                Files.createDirectories(Path.of("/run/cvmfs-thin")), "supervisor-")
            : Files.createDirectories(stateDir);
    try (DescriptorStore store = DescriptorStore.listen(dir.resolve("supervisor.sock"))) {
      Signals.onTermination(this::stop);
      Signals.onHangup(() -> handOver(store));
      return superviseUntilDone(store);
    } finally {
      if (ownDir) {
        deleteTree(dir);
      }
    }
  }

  private int superviseUntilDone(DescriptorStore store) throws IOException, InterruptedException {
    long backoff = 100;
    Process p = start(store.socketPath());
    while (true) {
      long started = System.nanoTime();
      int status = p.waitFor();
      synchronized (lock) {
        if (worker != p) { // it handed over; its successor is the worker now
          log.info("supervisor: worker {} handed over to {}", p.pid(), worker.pid());
          p = worker;
          backoff = 100;
          continue;
        }
        if (stopping) {
          log.info("supervisor: worker {} exited with status {}; stopping", p.pid(), status);
          return status;
        }
      }
      if (status == 0) {
        log.info("supervisor: worker {} finished (its mounts are gone)", p.pid());
        return 0;
      }
      long lived = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      backoff = lived < QUICK_DEATH_MILLIS ? Math.min(MAX_BACKOFF_MILLIS, backoff * 2) : 100;
      log.warn(
          "supervisor: worker {} died (status {}) after {} ms; {} mounts kept; restarting in {}"
              + " ms",
          p.pid(),
          status,
          lived,
          store.names().size(),
          backoff);
      Thread.sleep(backoff);
      p = start(store.socketPath());
    }
  }

  private Process start(Path socket) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.cvmfsthin.plugin.Main");
    cmd.addAll(command);
    ProcessBuilder b = new ProcessBuilder(cmd).inheritIO();
    b.environment().put(SupervisorClient.SETTING, socket.toString());
    b.environment().put(FuseTransport.SETTING, FuseTransport.KERNEL.configName());
    synchronized (lock) {
      if (stopping) {
        throw new IOException("stopping");
      }
      worker = b.start();
      log.info("supervisor: started worker {}: {}", worker.pid(), String.join(" ", command));
      return worker;
    }
  }

  private void stop() {
    synchronized (lock) {
      stopping = true;
      if (worker != null && worker.isAlive()) {
        log.info("supervisor: SIGTERM to worker {}", worker.pid());
        worker.destroy();
      }
    }
  }

  /** SIGHUP: a successor starts; its predecessor stops when the successor takes a mount. */
  private void handOver(DescriptorStore store) {
    Process old;
    synchronized (lock) {
      if (stopping || worker == null || !worker.isAlive()) {
        return;
      }
      old = worker;
    }
    log.info("supervisor: SIGHUP, worker {} hands over to a new worker", old.pid());
    Set<Integer> predecessors = store.connected();
    store.beforeSuccessorTakes(predecessors, () -> stopPredecessor(store, predecessors, old));
    try {
      start(store.socketPath());
    } catch (IOException e) {
      log.error("supervisor: starting a successor failed; worker {} goes on", old.pid(), e);
      store.beforeSuccessorTakes(Set.of(), () -> {});
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(2 * HANDOVER_MILLIS);
                store.runPendingHandover(); // the successor took no mount: stop the old one now
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "supervisor-handover");
    t.setDaemon(true);
    t.start();
  }

  private static void stopPredecessor(DescriptorStore store, Set<Integer> conns, Process old) {
    store.handOver(conns);
    try {
      if (!old.waitFor(HANDOVER_MILLIS, TimeUnit.MILLISECONDS)) {
        log.warn("supervisor: worker {} did not hand over in time; killing it", old.pid());
        old.destroyForcibly().waitFor(HANDOVER_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      log.warn("supervisor: removing {} failed: {}", dir, e.toString());
    }
  }
}
