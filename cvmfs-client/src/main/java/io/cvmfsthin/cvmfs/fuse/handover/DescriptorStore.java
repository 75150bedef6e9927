package io.cvmfsthin.cvmfs.fuse.handover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * handover edge, supervisor side: keeps the {@code /dev/fuse} descriptors of the worker's mounts
 * while workers come and go. A worker connects to the socket ({@link SupervisorClient}) and puts
 * the descriptors of each mount under the mount's name with a one-line description; its successor
 * takes duplicates of them back. Holding a descriptor keeps the kernel's FUSE connection, and the
 * requests a dead worker had read and not answered, alive: the connection ends only when the mount
 * is unmounted (then the worker drops the entry) or when this store is closed.
 *
 * <p>Wire format (one {@code SOCK_SEQPACKET} message each, UTF-8 lines, descriptors by {@code
 * SCM_RIGHTS}): {@code PUT\n<name>\n<description>} with descriptors, answered {@code OK}; {@code
 * TAKE\n<name>}, answered {@code FDS\n<description>} with duplicates or {@code NONE}; {@code
 * DROP\n<name>}, answered {@code OK}; {@code LIST}, answered {@code LIST} and a line {@code
 * <name>\t<description>} per entry. To a worker: {@code HANDOVER} (stop serving, a successor takes
 * over). Threads: one accepting ({@code supervisor-accept}) and one per connection; entries are
 * guarded by {@code this}.
 */
public final class DescriptorStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DescriptorStore.class);

  private record Entry(String description, int[] fds) {}

  private final Path socketPath;
  private final int listening;
  private final Map<String, Entry> entries = new LinkedHashMap<>(); // guarded by this
  private final Set<Integer> connections = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Handover> handover = new AtomicReference<>();
  private volatile boolean closed;

  /** A planned handover: run {@code stopPredecessor} before a successor takes anything. */
  private record Handover(Set<Integer> predecessors, Runnable stopPredecessor) {}

  private DescriptorStore(Path socketPath, int listening) {
    this.socketPath = socketPath;
    this.listening = listening;
  }

  /** Listens at {@code socketPath} (a stale socket file there is replaced). */
  public static DescriptorStore listen(Path socketPath) throws IOException {
    Files.deleteIfExists(socketPath);
    DescriptorStore s = new DescriptorStore(socketPath, UnixSocket.listen(socketPath));
    Thread t = new Thread(s::acceptLoop, "supervisor-accept");
    t.setDaemon(true);
    t.start();
    log.info("supervisor keeps FUSE descriptors at {}", socketPath);
    return s;
  }

  public Path socketPath() {
    return socketPath;
  }

  /** Names held now. */
  public synchronized List<String> names() {
    return new ArrayList<>(entries.keySet());
  }

  /** The workers connected now (their connections), for {@link #handOver(Set)}. */
  public Set<Integer> connected() {
    return Set.copyOf(connections);
  }

  /**
   * Runs {@code stopPredecessor} (which should {@link #handOver(Set)} to {@code predecessors} and
   * wait for them to exit) when a worker connected later first takes descriptors, so the successor
   * is ready when its predecessor stops reading. Without a take, the caller runs it itself.
   */
  public void beforeSuccessorTakes(Set<Integer> predecessors, Runnable stopPredecessor) {
    handover.set(new Handover(Set.copyOf(predecessors), stopPredecessor));
  }

  /** Runs the pending handover's stop, once; false if there is none (any more). */
  public boolean runPendingHandover() {
    Handover h = handover.getAndSet(null);
    if (h == null) {
      return false;
    }
    h.stopPredecessor().run();
    return true;
  }

  /** Tells the workers of {@code to} to stop serving so that a successor takes over. */
  public void handOver(Set<Integer> to) {
    for (int c : to) {
      try {
        UnixSocket.send(c, "HANDOVER".getBytes(StandardCharsets.UTF_8), new int[0]);
      } catch (IOException e) {
        log.warn("supervisor: telling a worker to hand over failed: {}", e.getMessage());
      }
    }
  }

  /** Closes every descriptor held (FUSE connections without another holder end) and the socket. */
  @Override
  public void close() {
    closed = true;
    UnixSocket.shutdown(listening);
    UnixSocket.close(listening);
    connections.forEach(UnixSocket::shutdown);
    synchronized (this) {
      entries.values().forEach(e -> Arrays.stream(e.fds()).forEach(UnixSocket::close));
      entries.clear();
    }
    try {
      Files.deleteIfExists(socketPath);
    } catch (IOException e) {
      log.warn("supervisor: removing {} failed: {}", socketPath, e.getMessage());
    }
  }

  private void acceptLoop() {
    while (!closed) {
      int c;
      try {
        c = UnixSocket.accept(listening);
      } catch (IOException e) {
        c = -1;
      }
      if (c < 0) {
        if (!closed) {
          log.error("supervisor: accepting at {} failed; no more workers can connect", socketPath);
        }
        return;
      }
      int conn = c;
      connections.add(conn);
      Thread t = new Thread(() -> serve(conn), "supervisor-conn-" + conn);
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(int conn) {
    try {
      UnixSocket.Message m;
      while ((m = UnixSocket.receive(conn)) != null) {
        if (m.text().startsWith("TAKE\n")) {
          Handover h = handover.get();
          if (h != null && !h.predecessors().contains(conn)) {
            runPendingHandover(); // the successor is ready: its predecessor stops now
          }
        }
        Reply r = answer(m);
        UnixSocket.send(conn, r.text().getBytes(StandardCharsets.UTF_8), r.fds());
      }
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.warn("supervisor: a worker connection failed: {}", e.toString());
      }
    } finally {
      connections.remove(conn);
      UnixSocket.close(conn);
    }
  }

  private record Reply(String text, int[] fds) {}

  private Reply answer(UnixSocket.Message m) {
    String[] lines = m.text().split("\n", 3);
    String verb = lines[0];
    String name = lines.length > 1 ? lines[1] : "";
    switch (verb) {
      case "PUT":
        put(name, lines.length > 2 ? lines[2] : "", m.fds());
        return new Reply("OK", new int[0]);
      case "TAKE":
        synchronized (this) {
          Entry e = entries.get(name);
          if (e == null) {
            return new Reply("NONE", new int[0]);
          }
          log.info("supervisor: a worker takes over {} ({} descriptors)", name, e.fds().length);
          return new Reply("FDS\n" + e.description(), e.fds()); // sending duplicates them
        }
      case "DROP":
        Arrays.stream(m.fds()).forEach(UnixSocket::close);
        synchronized (this) {
          Entry e = entries.remove(name);
          if (e != null) {
            Arrays.stream(e.fds()).forEach(UnixSocket::close);
            log.info("supervisor: {} unmounted, its descriptors closed", name);
          }
        }
        return new Reply("OK", new int[0]);
      case "LIST":
        StringBuilder b = new StringBuilder("LIST");
        synchronized (this) {
          entries.forEach((n, e) -> b.append('\n').append(n).append('\t').append(e.description()));
        }
        return new Reply(b.toString(), new int[0]);
      default:
        Arrays.stream(m.fds()).forEach(UnixSocket::close);
        return new Reply("ERROR unknown request '" + verb + "'", new int[0]);
    }
  }

  private void put(String name, String description, int[] fds) {
    Entry old;
    synchronized (this) {
      old = entries.put(name, new Entry(description, fds));
    }
    if (old != null) {
      Arrays.stream(old.fds()).forEach(UnixSocket::close);
    }
    log.info("supervisor: keeping {} descriptors of {}", fds.length, name);
  }
}
