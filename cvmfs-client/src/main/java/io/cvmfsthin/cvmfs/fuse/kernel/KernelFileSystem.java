package io.cvmfsthin.cvmfs.fuse.kernel;

import com.kenai.jffi.MemoryIO;
import io.cvmfsthin.cvmfs.fuse.FuseServer;
import io.cvmfsthin.cvmfs.fuse.MountTable;
import io.cvmfsthin.cvmfs.fuse.RepositoryFiles;
import io.cvmfsthin.cvmfs.fuse.handover.SupervisorClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fuse.kernel edge: one repository served by speaking the kernel's FUSE protocol on {@code
 * /dev/fuse} directly (the {@code kernel} transport). {@link #serve} opens the device, mounts with
 * mount(2) (root only), gives each of {@link #WORKERS} named threads its own cloned descriptor
 * (FUSE_DEV_IOC_CLONE) and a request and a reply buffer of its own (direct memory, reused for every
 * request), and returns once the kernel has ended the connection (unmount); the caller unmounts.
 * Requests are answered by {@link Requests}.
 *
 * <p>Under a supervisor ({@link SupervisorClient}) the mount survives this process: after mounting,
 * the descriptors are put into the supervisor (the master, and the cloned ones the threads read
 * when the kernel can resend requests), the node table is journaled ({@link NodeJournal}), and the
 * master is not read (so on a kernel without resend, requests a dead worker held end with an error
 * when its clones close, never hang). A successor is given the descriptors ({@link Takeover}): it
 * mounts nothing, restores the node table, starts its threads and sends FUSE_NOTIFY_RESEND, so the
 * requests its predecessor had read and not answered are read again.
 */
public final class KernelFileSystem implements FuseServer, SupervisorClient.Drainable {
  private static final Logger log = LoggerFactory.getLogger(KernelFileSystem.class);
  private static final MemoryIO MEMORY = MemoryIO.getInstance();

  /** Threads reading requests, each on its own cloned descriptor. */
  static final int WORKERS = 10;

  /** Passthrough of whole cached files, if the kernel offers it (-Dcvmfs.fuse.noPassthrough). */
  static final boolean PASSTHROUGH = !Boolean.getBoolean("cvmfs.fuse.noPassthrough");

  /** A supervised mount: the supervisor, and the descriptors of a predecessor, if any. */
  public record Takeover(SupervisorClient supervisor, SupervisorClient.Descriptors adopted) {}

  private final RepositoryFiles files;
  private final boolean allowOther;
  private final Requests requests;
  private final Takeover takeover; // null: not supervised
  private final NodeJournal journal;
  private final AtomicInteger inFlight = new AtomicInteger(); // requests read and not answered
  private volatile boolean stopReading; // a handover: answer what is in hand, read no more
  private volatile int masterFd = -1;

  public KernelFileSystem(RepositoryFiles files, boolean allowOther) {
    this(files, allowOther, null, NodeJournal.NONE);
  }

  /**
   * A mount served under a supervisor, with its node journal at {@code stateFile}: resumed if
   * {@code takeover} adopts a predecessor's descriptors, new otherwise.
   */
  public static KernelFileSystem supervised(
      RepositoryFiles files, boolean allowOther, Takeover takeover, Path stateFile)
      throws IOException {
    NodeJournal journal =
        takeover.adopted() != null && java.nio.file.Files.exists(stateFile)
            ? NodeJournal.resume(stateFile)
            : NodeJournal.create(stateFile);
    return new KernelFileSystem(files, allowOther, takeover, journal);
  }

  private KernelFileSystem(
      RepositoryFiles files, boolean allowOther, Takeover takeover, NodeJournal journal) {
    this.files = files;
    this.allowOther = allowOther;
    this.takeover = takeover;
    this.journal = journal;
    this.requests =
        new Requests(
            files,
            new Requests.Backing() {
              @Override
              public int open(int fd) {
                return FuseDevice.backingOpen(masterFd, fd);
              }

              @Override
              public void close(int backingId) {
                FuseDevice.backingClose(masterFd, backingId);
              }
            },
            PASSTHROUGH,
            journal);
  }

  @Override
  public void stopReading() {
    stopReading = true;
  }

  @Override
  public boolean drained() {
    return inFlight.get() == 0;
  }

  @Override
  public CompletableFuture<Void> initialized() {
    return requests.initialized();
  }

  @Override
  public int serve(Path mountPoint, List<String> libfuseArgs, String threadName)
      throws InterruptedException {
    List<Integer> fds = new ArrayList<>();
    List<Integer> readers;
    boolean resend = takeover != null && FuseDevice.kernelResends();
    try {
      try {
        readers =
            takeover == null ? open(mountPoint, fds) : openSupervised(mountPoint, fds, resend);
      } catch (IOException | RuntimeException | LinkageError e) {
        log.error("{}: mounting at {} failed: {}", files.fqrn(), mountPoint, e.toString());
        return 1;
      }
      if (takeover != null) {
        takeover.supervisor().register(this);
      }
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < readers.size(); i++) {
        int fd = readers.get(i);
        Thread t = new Thread(() -> work(fd), threadName + "-" + i);
        t.setDaemon(true);
        t.start();
        workers.add(t);
      }
      if (takeover != null && takeover.adopted() != null) {
        resendPending(mountPoint, resend);
      } else {
        raiseReadahead(mountPoint);
      }
      for (Thread t : workers) {
        t.join();
      }
      if (takeover != null && !stopReading) {
        unmounted(mountPoint);
      }
      return 0;
    } finally {
      fds.forEach(FuseDevice::close);
      try {
        journal.close();
      } catch (IOException e) {
        log.warn("{}: closing the node journal failed: {}", files.fqrn(), e.toString());
      }
    }
  }

  /** Opens and mounts; every descriptor (master first) is read. */
  private List<Integer> open(Path mountPoint, List<Integer> fds) throws IOException {
    int master = FuseDevice.open();
    fds.add(master);
    FuseDevice.mount(master, mountPoint, files.fqrn(), "cvmfs-thin", allowOther);
    masterFd = master;
    for (int i = 1; i < WORKERS; i++) {
      fds.add(FuseDevice.cloneOf(master));
    }
    return fds;
  }

  /**
   * Adopts a predecessor's descriptors, or opens, mounts and puts them into the supervisor; the
   * clones are read (the master is not), and put there only if the kernel can resend.
   */
  private List<Integer> openSupervised(Path mountPoint, List<Integer> fds, boolean resend)
      throws IOException {
    SupervisorClient supervisor = takeover.supervisor();
    String name = mountPoint.toString();
    SupervisorClient.Descriptors adopted = takeover.adopted();
    List<Integer> readers = new ArrayList<>();
    if (adopted != null) {
      for (int fd : adopted.fds()) {
        fds.add(fd);
      }
      masterFd = fds.get(0);
      readers.addAll(fds.subList(1, fds.size()));
    } else {
      int master = FuseDevice.open();
      fds.add(master);
      FuseDevice.mount(master, mountPoint, files.fqrn(), "cvmfs-thin", allowOther);
      masterFd = master;
      supervisor.put(name, files.fqrn(), new int[] {master});
    }
    if (readers.isEmpty()) {
      for (int i = 0; i < WORKERS; i++) {
        int fd = FuseDevice.cloneOf(masterFd);
        fds.add(fd);
        readers.add(fd);
      }
      if (resend) { // the requests these hold survive us and are resent to a successor
        supervisor.put(name, files.fqrn(), fds.stream().mapToInt(Integer::intValue).toArray());
      }
    }
    return readers;
  }

  /** A successor's first act: the requests its predecessor held are queued again. */
  private void resendPending(Path mountPoint, boolean resend) {
    if (!resend) {
      log.info(
          "{}: took over {} (this kernel cannot resend: requests the last worker held ended with"
              + " an error)",
          files.fqrn(),
          mountPoint);
      return;
    }
    int rc = FuseDevice.notifyResend(masterFd);
    if (rc == 0) {
      log.info("{}: took over {}; pending requests resent", files.fqrn(), mountPoint);
    } else {
      log.error(
          "{}: took over {} but FUSE_NOTIFY_RESEND failed (errno {}): requests the last worker"
              + " held stay unanswered",
          files.fqrn(),
          mountPoint,
          -rc);
    }
  }

  /** The kernel ended the connection: the supervisor forgets the mount. */
  private void unmounted(Path mountPoint) {
    takeover.supervisor().unregister(this);
    try {
      takeover.supervisor().drop(mountPoint.toString());
    } catch (IOException | RuntimeException e) {
      log.warn("{}: telling the supervisor of the unmount failed: {}", files.fqrn(), e.toString());
    }
  }

  /**
   * The kernel offers at most its default read-ahead (128 KiB) at INIT and a reply can only lower
   * it, so buffered reads would reach us in 128 KiB requests however large max_pages is; the
   * mount's backing device's {@code read_ahead_kb} (sysfs, root) is raised to one full request.
   * Runs once INIT is answered; a failure only costs speed.
   */
  private void raiseReadahead(Path mountPoint) throws InterruptedException {
    try {
      requests.initialized().get(60, java.util.concurrent.TimeUnit.SECONDS);
      // not stat(2) of the mount point: see MountTable#deviceOf (a kill -9 right after the mount
      // left this thread waiting for its own GETATTR forever, and the mount never went away)
      // mountinfo lists the real path; only the parent is resolved (not the mount itself)
      Path real = mountPoint.getParent().toRealPath().resolve(mountPoint.getFileName());
      String dev =
          MountTable.deviceOf(
              java.nio.file.Files.readString(Path.of("/proc/self/mountinfo")), real.toString());
      if (dev == null) {
        throw new IOException("not in /proc/self/mountinfo");
      }
      Path kb = Path.of("/sys/class/bdi", dev, "read_ahead_kb");
      java.nio.file.Files.writeString(kb, Integer.toString(FuseProtocol.MAX_READ / 1024));
      log.debug("{}: {} = {}", files.fqrn(), kb, FuseProtocol.MAX_READ / 1024);
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException
        | IOException
        | RuntimeException e) {
      log.warn(
          "{}: read-ahead of {} stays the kernel's: {}", files.fqrn(), mountPoint, e.toString());
    }
  }

  /** Reads requests from {@code fd} and answers them until the connection ends. */
  private void work(int fd) {
    Runtime runtime = Runtime.getRuntime(FuseDevice.libc());
    Pointer inMem = Memory.allocateDirect(runtime, FuseProtocol.REQUEST_BUFFER);
    Pointer outMem = Memory.allocateDirect(runtime, FuseProtocol.REPLY_BUFFER);
    ByteBuffer in =
        MEMORY
            .newDirectByteBuffer(inMem.address(), FuseProtocol.REQUEST_BUFFER)
            .order(ByteOrder.nativeOrder());
    ByteBuffer out =
        MEMORY
            .newDirectByteBuffer(outMem.address(), FuseProtocol.REPLY_BUFFER)
            .order(ByteOrder.nativeOrder());
    ByteBuffer body =
        out.duplicate().position(FuseProtocol.OUT_HEADER).slice().order(ByteOrder.nativeOrder());
    while (!stopReading) {
      long n = FuseDevice.read(fd, inMem, FuseProtocol.REQUEST_BUFFER);
      if (n >= 0) {
        inFlight.incrementAndGet();
      }
      if (n < 0) {
        int errno = (int) -n;
        if (errno == FuseDevice.EINTR || errno == FuseDevice.EAGAIN || errno == FuseDevice.ENOENT) {
          continue; // interrupted, or a request the kernel withdrew
        }
        if (errno != FuseDevice.ENODEV) {
          log.error("{}: reading /dev/fuse failed: errno {}", files.fqrn(), errno);
        }
        return; // ENODEV: unmounted
      }
      try {
        if (n < FuseProtocol.IN_HEADER) {
          log.error("{}: short FUSE request of {} bytes", files.fqrn(), n);
          continue;
        }
        in.clear().limit((int) n);
        int len = requests.handle(in, out, body);
        if (len > 0) {
          int rc = FuseDevice.write(fd, outMem, len);
          if (rc < 0 && -rc != FuseDevice.ENOENT) { // ENOENT: the request was interrupted
            log.warn("{}: writing a FUSE reply failed: errno {}", files.fqrn(), -rc);
          }
        }
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }
}
