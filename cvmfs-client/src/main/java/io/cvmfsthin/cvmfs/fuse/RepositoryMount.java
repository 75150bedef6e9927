package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient;
import io.cvmfsthin.cvmfs.fuse.kernel.KernelFileSystem;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One repository mounted read-only with FUSE at a directory (edge). {@link #mount} opens the
 * repository (trust chain, root catalog), clears a stale mount a dead process left at the
 * directory, and returns once the kernel has accepted the mount. The mount polls for new revisions
 * in the background (the root catalog's TTL decides when the server is asked) and shows them
 * without remounting. {@link #unmount} unmounts (lazily if the mount is still in use, for example
 * as an overlay lower dir) or says why it could not; the repository is closed and the counters
 * logged once libfuse has stopped.
 *
 * <p>Threads: {@link FuseWorkers#WORKERS} workers {@code fuse-<fqrn>-<i>} answer FUSE calls; one
 * loop thread {@code fuse-<fqrn>} and one poller {@code cvmfs-refresh-<fqrn>}; all daemons, all
 * ended by {@link #close} or by an external {@code umount}. The caller owns the mount and closes
 * it.
 */
public final class RepositoryMount implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RepositoryMount.class);
  private static final Path DEV_FUSE = Path.of("/dev/fuse");
  private static final Duration POLL = Duration.ofSeconds(1);
  private static final Duration OFFLINE_RETRY = Duration.ofSeconds(180);

  private final Path mountPoint;
  private final RepositoryClient client;
  private final RepositoryFiles files;
  private final FuseServer fs;
  private final CompletableFuture<Integer> loopEnded = new CompletableFuture<>();
  private final ScheduledExecutorService poller;
  private final Object closeLock = new Object(); // guards closed
  private boolean closed;
  private volatile long nextCheckNanos; // after a failed check: not before this

  private RepositoryMount(
      Path mountPoint, RepositoryClient client, RepositoryFiles files, FuseServer fs) {
    this.mountPoint = mountPoint;
    this.client = client;
    this.files = files;
    this.fs = fs;
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cvmfs-refresh-" + client.fqrn());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The transport to mount with: {@code chosen}, or for {@link FuseTransport#AUTO} the kernel
   * transport as root with a usable /dev/fuse and libfuse otherwise (with one log line saying so).
   */
  private static FuseTransport transport(String fqrn, FuseTransport chosen) {
    if (chosen != FuseTransport.AUTO) {
      return chosen;
    }
    boolean root = FuseTransport.runningAsRoot();
    boolean devFuse = FuseTransport.devFuseUsable();
    FuseTransport t = chosen.resolve(root, devFuse);
    if (t != FuseTransport.KERNEL) {
      log.info(
          "{}: {} unset and {}: mounting with the libfuse transport (the kernel transport needs"
              + " root and /dev/fuse)",
          fqrn,
          FuseTransport.SETTING,
          root ? "/dev/fuse not readable and writable" : "not running as root");
    }
    return t;
  }

  /**
   * Opens the repository and mounts it at {@code mountPoint} (created if missing).
   *
   * @throws IOException if the repository cannot be opened, FUSE is not available ({@code
   *     /dev/fuse}, {@code libfuse.so.2}) or the kernel refused the mount; nothing stays mounted
   */
  public static RepositoryMount mount(
      ClientSettings settings, Path mountPoint, MountOptions options) throws IOException {
    Path dir = mountPoint.toAbsolutePath().normalize();
    if (!Files.exists(DEV_FUSE)) {
      throw new IOException("cannot mount " + settings.fqrn() + ": no /dev/fuse (FUSE missing)");
    }
    if (!Charset.defaultCharset().equals(StandardCharsets.UTF_8)) {
      log.warn(
          "default charset is {}, not UTF-8: non-ASCII names will be garbled (-Dfile.encoding=UTF-8)",
          Charset.defaultCharset());
    }
    // a supervised mount is always served by the kernel transport: its descriptor is kept
    FuseTransport transport =
        options.supervisor() != null
            ? FuseTransport.KERNEL
            : transport(settings.fqrn(), options.transport());
    RepositoryClient client = RepositoryClient.open(settings);
    RepositoryMount m = null;
    try {
      // a successor takes the mount over as late as it can: its predecessor serves until then
      SupervisorClient.Descriptors adopted = adoptable(options.supervisor(), dir);
      if (adopted == null) {
        clearStale(dir);
        Files.createDirectories(dir);
      }
      // else: nothing may touch the mount point until this process serves it. A stat of the
      // adopted mount waits for a server that is not reading yet (the kernel has the root's
      // attributes cached only if someone looked at them since the mount).
      FuseCounters counters = new FuseCounters(client.metrics(), transport.configName());
      RepositoryView view =
          new RepositoryView(
              new ClientEntrySource(client), options.layerRoots(), options.maxCachedPaths());
      RepositoryFiles files = new RepositoryFiles(client, view, counters);
      FuseServer fs;
      if (options.supervisor() != null) {
        fs =
            KernelFileSystem.supervised(
                files,
                options.allowOther(),
                new KernelFileSystem.Takeover(options.supervisor(), adopted),
                options.supervisor().stateFile(dir));
      } else if (transport == FuseTransport.KERNEL) {
        fs = new KernelFileSystem(files, options.allowOther());
      } else {
        try {
          fs = new CvmfsFileSystem(files);
        } catch (LinkageError | RuntimeException e) {
          throw new IOException("cannot load libfuse.so.2 (install libfuse2): " + e, e);
        }
      }
      m = new RepositoryMount(dir, client, files, fs);
      m.start(arguments(client, dir, options), options.mountTimeout());
      log.info(
          "{} {} revision {} at {} ({} view, {} transport{}, kernel cache {} s)",
          adopted != null ? "took over" : "mounted",
          client.fqrn(),
          client.revision(),
          dir,
          options.layerRoots().isEmpty() ? "plain" : "layer " + options.layerRoots(),
          transport.configName(),
          options.supervisor() != null ? ", supervised" : "",
          client.ttl().toSeconds());
      client.metrics().mounted();
      return m;
    } catch (IOException | RuntimeException e) {
      if (m == null) {
        client.close();
      }
      throw e;
    }
  }

  /** The libfuse command line: foreground, multithreaded, read-only, timeouts = the TTL. */
  static List<String> arguments(RepositoryClient client, Path dir, MountOptions options) {
    long ttl = Math.max(1, client.ttl().toSeconds());
    List<String> o = new ArrayList<>();
    o.add("ro");
    o.add("fsname=" + client.fqrn());
    o.add("subtype=cvmfs-thin");
    if (options.allowOther()) {
      o.add("allow_other");
    }
    o.add("default_permissions");
    o.add("use_ino");
    o.add("readdir_ino");
    o.add("entry_timeout=" + ttl);
    o.add("attr_timeout=" + ttl);
    o.add("negative_timeout=" + ttl);
    o.add("max_read=131072");
    o.add("max_readahead=1048576");
    if (CvmfsFileSystem.SPLICE) {
      o.add("splice_write"); // read_buf answers with descriptors: let libfuse splice them
    }
    o.add("noatime");
    return List.of("cvmfs-thin", "-f", dir.toString(), "-o", String.join(",", o));
  }

  /**
   * The descriptors a supervisor keeps for a mount still at {@code dir}, or null: the mount is new.
   * Descriptors of a mount gone meanwhile (unmounted from outside) are closed and forgotten.
   */
  private static SupervisorClient.Descriptors adoptable(SupervisorClient supervisor, Path dir)
      throws IOException {
    if (supervisor == null) {
      return null;
    }
    SupervisorClient.Descriptors d = supervisor.take(dir.toString());
    if (d != null && !Unmounter.isMountPoint(dir)) {
      log.warn("{}: the supervisor kept a mount that is gone; mounting anew", dir);
      d.close();
      supervisor.drop(dir.toString());
      return null;
    }
    return d;
  }

  /** A mount left by a dead process answers ENOTCONN; detach it so the directory is usable. */
  static void clearStale(Path dir) throws IOException {
    if (Unmounter.isMountPoint(dir)) {
      log.warn("{} is still mounted (a previous process died?): detaching it", dir);
      Unmounter.detach(dir);
    }
  }

  private void start(List<String> args, Duration timeout) throws IOException {
    Thread loop =
        new Thread(
            () -> {
              int rc = -1;
              try {
                rc = fs.serve(mountPoint, args, "fuse-" + client.fqrn());
              } catch (Throwable t) {
                log.error("FUSE loop of {} failed", client.fqrn(), t);
              } finally {
                loopEnded.complete(rc);
              }
            },
            "fuse-" + client.fqrn());
    loop.setDaemon(true);
    loop.start();
    try {
      CompletableFuture.anyOf(fs.initialized(), loopEnded)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abortStart();
      throw new InterruptedIOException("interrupted while mounting " + mountPoint);
    } catch (ExecutionException e) {
      abortStart();
      throw new IOException("mounting " + mountPoint + " failed", e.getCause());
    } catch (TimeoutException e) {
      abortStart();
      throw new IOException("mounting " + mountPoint + ": no FUSE INIT within " + timeout);
    }
    if (!fs.initialized().isDone()) {
      client.close();
      throw new IOException(
          "mounting "
              + mountPoint
              + " failed: the FUSE transport exited with status "
              + loopEnded.join()
              + " (its message is on stderr)");
    }
    poller.scheduleWithFixedDelay(
        this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    loopEnded.whenComplete((rc, t) -> onLoopEnded());
  }

  private void abortStart() {
    try {
      Unmounter.unmount(mountPoint);
    } catch (IOException e) {
      log.warn("cleanup: unmounting {} failed", mountPoint, e);
    }
    client.close();
  }

  private void poll() {
    if (System.nanoTime() - nextCheckNanos < 0) {
      return;
    }
    try {
      client.refresh();
    } catch (IOException | RuntimeException e) {
      Duration wait = OFFLINE_RETRY.compareTo(client.ttl()) < 0 ? OFFLINE_RETRY : client.ttl();
      nextCheckNanos = System.nanoTime() + wait.toNanos();
      log.warn(
          "{}: revision check failed, staying on revision {} and retrying in {} s: {}",
          client.fqrn(),
          client.revision(),
          wait.toSeconds(),
          e.getMessage());
    }
  }

  public Path mountPoint() {
    return mountPoint;
  }

  public String fqrn() {
    return client.fqrn();
  }

  /** The repository client behind the mount (revision, counters). */
  public RepositoryClient client() {
    return client;
  }

  /** Tells {@code listener} of every successful open of a regular file (recorded prefetch). */
  public void openListener(OpenListener listener) {
    files.openListener(listener);
  }

  /** The counters as the {@code user.counters} xattr of the root shows them. */
  public String counters() {
    return files.counterText();
  }

  /** True until the file system has been unmounted (by {@link #close} or from outside). */
  public boolean isMounted() {
    return !loopEnded.isDone();
  }

  /** Waits until the file system is unmounted, by {@link #close} or an external umount. */
  public void awaitUnmounted() throws InterruptedException {
    try {
      loopEnded.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the loop future never fails", e);
    }
  }

  /**
   * Unmounts. If the mount is busy (an overlay still uses it) it is detached: it disappears from
   * the directory now and libfuse serves its remaining users until they are gone. Idempotent once
   * it has succeeded.
   *
   * @throws IOException if the kernel refused the unmount: the file system stays mounted and served
   *     (revisions still polled), and a later call tries again
   */
  public void unmount() throws IOException {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (!loopEnded.isDone()) {
      Unmounter.Result r;
      try {
        r = Unmounter.unmount(mountPoint);
      } catch (IOException e) {
        synchronized (closeLock) {
          closed = false; // still mounted: a later call tries again
        }
        throw new IOException(
            "cannot unmount " + client.fqrn() + " from " + mountPoint + ": " + e.getMessage(), e);
      }
      poller.shutdownNow();
      if (r == Unmounter.Result.DETACHED_BUSY) {
        log.warn("{} was busy: detached; it stays served until its last user is gone", mountPoint);
        return;
      }
      try {
        loopEnded.get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.warn("FUSE loop of {} did not end within 10 s after unmount", mountPoint);
      }
    }
    poller.shutdownNow();
  }

  /**
   * {@link #unmount} for try-with-resources and shutdown paths that cannot act on a failure: a
   * refused unmount is logged as an error and the file system stays mounted. A caller that keeps
   * track of its mounts calls {@link #unmount} instead.
   */
  @Override
  public void close() {
    try {
      unmount();
    } catch (IOException e) {
      log.error("{}; it stays mounted", e.getMessage());
    }
  }

  private void onLoopEnded() {
    synchronized (closeLock) {
      closed = true;
    }
    poller.shutdownNow();
    log.info(
        "unmounted {} from {}; counters: {}",
        client.fqrn(),
        mountPoint,
        files.counterText().strip().replace('\n', ' '));
    client.metrics().unmounted();
    client.close();
  }
}
