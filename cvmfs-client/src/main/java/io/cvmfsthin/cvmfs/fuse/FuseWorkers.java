package io.cvmfsthin.cvmfs.fuse;

import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * fuse edge: libfuse 2's session loop, run on threads of this JVM instead of libfuse's own.
 *
 * <p>Why: {@code fuse_main_real} answers each request on a thread libfuse made; jffi attaches such
 * a thread to the JVM before every callback and detaches it after (a new {@code java.lang.Thread},
 * thread-start events and fresh thread-locals per FUSE request; the profile showed ~30,000 thread
 * starts in a short benchmark). Here {@code fuse_setup} mounts and parses the options exactly as
 * {@code fuse_main_real} does, and {@link #WORKERS} named Java threads each run libfuse's worker
 * loop ({@code fuse_session_receive_buf} then {@code fuse_session_process_buf}, as {@code
 * fuse_loop_mt} does), so callbacks arrive on threads that are already attached. The loop ends when
 * the kernel ends the connection (unmount); {@code fuse_teardown} then unmounts and calls the file
 * system's {@code destroy}.
 */
final class FuseWorkers {
  private static final Logger log = LoggerFactory.getLogger(FuseWorkers.class);

  /** Threads reading requests from /dev/fuse; libfuse's own loop keeps up to 10 idle. */
  static final int WORKERS = 10;

  private static final int EINTR = 4;
  // struct fuse_buf { size_t size; enum flags; void *mem; int fd; off_t pos; } on LP64
  private static final int BUF_SIZE_OFFSET = 0;
  private static final int BUF_FLAGS_OFFSET = 8;
  private static final int BUF_MEM_OFFSET = 16;
  private static final int BUF_FD_OFFSET = 24;
  private static final int BUF_POS_OFFSET = 32;
  private static final int BUF_STRUCT_SIZE = 40;

  /** The libfuse 2.9 functions of the session loop (fuse.h, fuse_lowlevel.h). */
  public interface LibFuseSession {
    Pointer fuse_setup(
        int argc,
        String[] argv,
        FuseOperations op,
        @size_t long opSize,
        PointerByReference mountpoint,
        IntByReference multithreaded,
        Pointer userData);

    Pointer fuse_get_session(Pointer fuse);

    Pointer fuse_session_next_chan(Pointer session, Pointer channel);

    @size_t
    long fuse_chan_bufsize(Pointer channel);

    int fuse_session_receive_buf(Pointer session, Pointer buf, Pointer channelOut);

    void fuse_session_process_buf(Pointer session, Pointer buf, Pointer channel);

    int fuse_session_exited(Pointer session);

    void fuse_session_exit(Pointer session);

    void fuse_teardown(Pointer fuse, Pointer mountpoint);
  }

  private static volatile LibFuseSession lib;

  private FuseWorkers() {}

  private static LibFuseSession lib() {
    LibFuseSession l = lib;
    if (l == null) {
      l = LibraryLoader.create(LibFuseSession.class).failImmediately().load("libfuse.so.2");
      lib = l;
    }
    return l;
  }

  /**
   * Mounts with {@code args} (a libfuse command line), serves requests on {@link #WORKERS} threads
   * named {@code <name>-<i>} until unmounted, and tears down; 0, or 1 if the mount failed.
   */
  static int run(String[] args, FuseOperations ops, String name) throws InterruptedException {
    LibFuseSession l = lib();
    PointerByReference mountpoint = new PointerByReference();
    IntByReference multithreaded = new IntByReference();
    Pointer fuse =
        l.fuse_setup(args.length, args, ops, Struct.size(ops), mountpoint, multithreaded, null);
    if (fuse == null) {
      return 1;
    }
    try {
      Pointer session = l.fuse_get_session(fuse);
      Pointer channel = l.fuse_session_next_chan(session, null);
      long bufSize = l.fuse_chan_bufsize(channel);
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < WORKERS; i++) {
        Thread t = new Thread(() -> work(l, session, channel, bufSize), name + "-" + i);
        t.setDaemon(true);
        t.start();
        workers.add(t);
      }
      for (Thread t : workers) {
        t.join();
      }
      return 0;
    } finally {
      l.fuse_teardown(fuse, mountpoint.getValue());
    }
  }

  /** libfuse's fuse_do_work: receive a request, process it, until the session ends. */
  private static void work(LibFuseSession l, Pointer session, Pointer channel, long bufSize) {
    Runtime runtime = Runtime.getSystemRuntime();
    Pointer mem = Memory.allocateDirect(runtime, (int) bufSize);
    Pointer buf = Memory.allocateDirect(runtime, BUF_STRUCT_SIZE);
    Pointer ch = Memory.allocateDirect(runtime, runtime.addressSize()); // struct fuse_chan **
    try {
      while (l.fuse_session_exited(session) == 0) {
        buf.putLong(BUF_SIZE_OFFSET, bufSize);
        buf.putInt(BUF_FLAGS_OFFSET, 0);
        buf.putPointer(BUF_MEM_OFFSET, mem);
        buf.putInt(BUF_FD_OFFSET, -1);
        buf.putLong(BUF_POS_OFFSET, 0);
        ch.putPointer(0, channel);
        int res = l.fuse_session_receive_buf(session, buf, ch);
        if (res == -EINTR) {
          continue;
        }
        if (res <= 0) {
          if (res < 0) {
            l.fuse_session_exit(session); // ENODEV: unmounted
          }
          break;
        }
        l.fuse_session_process_buf(session, buf, ch.getPointer(0));
        FuseCounters.finished();
      }
    } catch (RuntimeException | Error e) {
      log.error("FUSE worker {} failed; ending the session", Thread.currentThread().getName(), e);
      l.fuse_session_exit(session);
    }
  }
}
