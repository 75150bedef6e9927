package io.cvmfsthin.cvmfs.fuse.handover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.types.ssize_t;

/**
 * handover edge: the only socket syscalls, through jnr-ffi: a Unix {@code SOCK_SEQPACKET} socket
 * (each message arrives whole) that carries file descriptors with {@code SCM_RIGHTS}. Java's own
 * Unix sockets cannot pass descriptors. Struct layouts are those of LP64 Linux (x86_64, aarch64):
 * {@code msghdr} 56 bytes, {@code cmsghdr} 16 bytes before its data.
 */
final class UnixSocket {
  /** The largest message: a mount's name and description, never more. */
  static final int MAX_MESSAGE = 64 * 1024;

  /** Descriptors one message may carry (the kernel's SCM_MAX_FD is 253). */
  static final int MAX_FDS = 64;

  private static final int AF_UNIX = 1;
  private static final int SOCK_SEQPACKET = 5;
  private static final int SOCK_CLOEXEC = 02000000;
  private static final int SOL_SOCKET = 1;
  private static final int SCM_RIGHTS = 1;
  private static final int MSG_CMSG_CLOEXEC = 0x40000000;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int EINTR = 4;
  private static final int SUN_PATH = 108;

  /** A message and the descriptors that came with it (now open in this process). */
  record Message(byte[] body, int[] fds) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** The libc functions used here. */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer addr, int len);

    int listen(int fd, int backlog);

    int accept4(int fd, Pointer addr, Pointer len, int flags);

    int connect(int fd, Pointer addr, int len);

    @ssize_t
    long sendmsg(int fd, Pointer msg, int flags);

    @ssize_t
    long recvmsg(int fd, Pointer msg, int flags);

    int close(int fd);

    int shutdown(int fd, int how);

    int dup(int fd);
  }

  private static final class Holder {
    static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
  }

  private UnixSocket() {}

  /** A socket listening at {@code path} (which must not exist). */
  static int listen(Path path) throws IOException {
    int fd = socket();
    Pointer addr = address(path);
    if (libc().bind(fd, addr, (int) addr.size()) != 0 || libc().listen(fd, 16) != 0) {
      int errno = lastError();
      close(fd);
      throw new IOException("listening at " + path + ": errno " + errno);
    }
    return fd;
  }

  /** A socket connected to {@code path}. */
  static int connect(Path path) throws IOException {
    int fd = socket();
    Pointer addr = address(path);
    if (libc().connect(fd, addr, (int) addr.size()) != 0) {
      int errno = lastError();
      close(fd);
      throw new IOException("connecting to the supervisor at " + path + ": errno " + errno);
    }
    return fd;
  }

  /** The next connection to {@code listening}, or -1 once it is shut down. */
  static int accept(int listening) throws IOException {
    while (true) {
      int fd = libc().accept4(listening, null, null, SOCK_CLOEXEC);
      if (fd >= 0) {
        return fd;
      }
      int errno = lastError();
      if (errno != EINTR) {
        return -1;
      }
    }
  }

  /** Sends {@code body} with {@code fds} (duplicates arrive at the peer) as one message. */
  static void send(int socket, byte[] body, int[] fds) throws IOException {
    if (body.length == 0 || body.length > MAX_MESSAGE || fds.length > MAX_FDS) {
      throw new IllegalArgumentException(
          "message of " + body.length + " bytes with " + fds.length + " descriptors");
    }
    Runtime rt = Holder.RUNTIME;
    Pointer data = Memory.allocateDirect(rt, body.length);
    data.put(0, body, 0, body.length);
    Pointer iov = Memory.allocateDirect(rt, 16);
    iov.putAddress(0, data.address());
    iov.putLong(8, body.length);
    Pointer msg = Memory.allocateDirect(rt, 56, true);
    msg.putAddress(16, iov.address());
    msg.putLong(24, 1);
    if (fds.length > 0) {
      int space = 16 + align8(4 * fds.length);
      Pointer control = Memory.allocateDirect(rt, space, true);
      control.putLong(0, 16 + 4L * fds.length);
      control.putInt(8, SOL_SOCKET);
      control.putInt(12, SCM_RIGHTS);
      for (int i = 0; i < fds.length; i++) {
        control.putInt(16 + 4L * i, fds[i]);
      }
      msg.putAddress(32, control.address());
      msg.putLong(40, space);
    }
    while (true) {
      long n = libc().sendmsg(socket, msg, MSG_NOSIGNAL);
      if (n == body.length) {
        return;
      }
      int errno = lastError();
      if (n < 0 && errno == EINTR) {
        continue;
      }
      throw new IOException("sending to the supervisor socket: errno " + errno);
    }
  }

  /** The next message, or null once the peer has closed the connection. */
  static Message receive(int socket) throws IOException {
    Runtime rt = Holder.RUNTIME;
    Pointer data = Memory.allocateDirect(rt, MAX_MESSAGE);
    Pointer iov = Memory.allocateDirect(rt, 16);
    iov.putAddress(0, data.address());
    iov.putLong(8, MAX_MESSAGE);
    int space = 16 + align8(4 * MAX_FDS);
    Pointer control = Memory.allocateDirect(rt, space, true);
    Pointer msg = Memory.allocateDirect(rt, 56, true);
    msg.putAddress(16, iov.address());
    msg.putLong(24, 1);
    msg.putAddress(32, control.address());
    msg.putLong(40, space);
    long n;
    while (true) {
      n = libc().recvmsg(socket, msg, MSG_CMSG_CLOEXEC);
      if (n >= 0 || lastError() != EINTR) {
        break;
      }
    }
    if (n < 0) {
      throw new IOException("receiving from the supervisor socket: errno " + lastError());
    }
    int[] fds = new int[0];
    long controlLen = msg.getLong(40);
    if (controlLen >= 16 && control.getInt(8) == SOL_SOCKET && control.getInt(12) == SCM_RIGHTS) {
      int count = (int) ((control.getLong(0) - 16) / 4);
      fds = new int[count];
      for (int i = 0; i < count; i++) {
        fds[i] = control.getInt(16 + 4L * i);
      }
    }
    if (n == 0) {
      Arrays.stream(fds).forEach(UnixSocket::close);
      return null;
    }
    byte[] body = new byte[(int) n];
    data.get(0, body, 0, body.length);
    return new Message(body, fds);
  }

  /** Wakes a thread blocked in {@link #accept} or {@link #receive} on {@code fd}. */
  static void shutdown(int fd) {
    libc().shutdown(fd, 2);
  }

  static void close(int fd) {
    if (fd >= 0) {
      libc().close(fd);
    }
  }

  private static int socket() throws IOException {
    int fd = libc().socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw new IOException("socket(AF_UNIX, SOCK_SEQPACKET): errno " + lastError());
    }
    return fd;
  }

  private static Pointer address(Path path) {
    byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH) {
      throw new IllegalArgumentException(
          "socket path " + path + " is " + p.length + " bytes; at most " + (SUN_PATH - 1));
    }
    Pointer addr = Memory.allocateDirect(Holder.RUNTIME, 2 + p.length + 1, true);
    addr.putShort(0, (short) AF_UNIX);
    addr.put(2, p, 0, p.length);
    return addr;
  }

  private static int align8(int n) {
    return (n + 7) & ~7;
  }

  private static LibC libc() {
    return Holder.LIBC;
  }

  private static int lastError() {
    return Holder.RUNTIME.getLastError();
  }
}
