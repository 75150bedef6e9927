package io.cvmfsthin.cvmfs.fuse.kernel;

import com.kenai.jffi.MemoryIO;
import io.cvmfsthin.cvmfs.fuse.FuseServer;
import io.cvmfsthin.cvmfs.fuse.MountTable;
import io.cvmfsthin.cvmfs.fuse.RepositoryFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 */
public final class KernelFileSystem implements FuseServer {
  private static final Logger log = LoggerFactory.getLogger(KernelFileSystem.class);
  private static final MemoryIO MEMORY = MemoryIO.getInstance();

  /** Threads reading requests, each on its own cloned descriptor. */
  static final int WORKERS = 10;

  /** Passthrough of whole cached files, if the kernel offers it (-Dcvmfs.fuse.noPassthrough). */
  static final boolean PASSTHROUGH = !Boolean.getBoolean("cvmfs.fuse.noPassthrough");

  private final RepositoryFiles files;
  private final boolean allowOther;
  private final Requests requests;
  private volatile int masterFd = -1;

  public KernelFileSystem(RepositoryFiles files, boolean allowOther) {
    this.files = files;
    this.allowOther = allowOther;
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
            PASSTHROUGH);
  }

  @Override
  public CompletableFuture<Void> initialized() {
    return requests.initialized();
  }

  @Override
  public int serve(Path mountPoint, List<String> libfuseArgs, String threadName)
      throws InterruptedException {
    List<Integer> fds = new ArrayList<>();
    try {
      int master;
      try {
        master = FuseDevice.open();
        fds.add(master);
        FuseDevice.mount(master, mountPoint, files.fqrn(), "cvmfs-thin", allowOther);
        masterFd = master;
        for (int i = 1; i < WORKERS; i++) {
          fds.add(FuseDevice.cloneOf(master));
        }
      } catch (IOException | RuntimeException | LinkageError e) {
        log.error("{}: mounting at {} failed: {}", files.fqrn(), mountPoint, e.toString());
        return 1;
      }
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < fds.size(); i++) {
        int fd = fds.get(i);
        Thread t = new Thread(() -> work(fd), threadName + "-" + i);
        t.setDaemon(true);
        t.start();
        workers.add(t);
      }
      raiseReadahead(mountPoint);
      for (Thread t : workers) {
        t.join();
      }
      return 0;
    } finally {
      fds.forEach(FuseDevice::close);
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
    while (true) {
      long n = FuseDevice.read(fd, inMem, FuseProtocol.REQUEST_BUFFER);
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
    }
  }
}
