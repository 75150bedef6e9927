package io.cvmfsthin.cvmfs.fuse.handover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * handover edge, worker side: the connection of a worker process to its supervisor's {@link
 * DescriptorStore}, named by {@link #SETTING} in the worker's environment. Mounts put their {@code
 * /dev/fuse} descriptors here and a restarted worker takes them back; each mount's state file (its
 * node table) lives in the supervisor's directory. On {@code HANDOVER} every registered server
 * stops reading requests and finishes those it holds, then the process halts without unmounting: a
 * successor takes over. Thread-safe: one request at a time; one reader thread {@code
 * supervisor-client}.
 */
public final class SupervisorClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SupervisorClient.class);

  /** The environment variable naming the supervisor's socket. */
  public static final String SETTING = "CVMFS_THIN_SUPERVISOR";

  /** How long a handover waits for requests in hand to be answered. */
  private static final long DRAIN_MILLIS = 10_000;

  /** A server that can stop reading requests and report when it holds none. */
  public interface Drainable {
    /** Stops reading new requests. */
    void stopReading();

    /** True once no request read is unanswered. */
    boolean drained();
  }

  /** Descriptors taken back from the supervisor, as they were put. */
  public record Descriptors(String description, int[] fds) {
    /** Closes these duplicates (the supervisor keeps its own). */
    public void close() {
      for (int fd : fds) {
        UnixSocket.close(fd);
      }
    }
  }

  private final Path socketPath;
  private final int socket;
  private final BlockingQueue<UnixSocket.Message> replies = new LinkedBlockingQueue<>();
  private final List<Drainable> servers = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private SupervisorClient(Path socketPath, int socket) {
    this.socketPath = socketPath;
    this.socket = socket;
  }

  /** Connects to the supervisor at {@code socketPath}. */
  public static SupervisorClient connect(Path socketPath) throws IOException {
    SupervisorClient c = new SupervisorClient(socketPath, UnixSocket.connect(socketPath));
    Thread t = new Thread(c::readLoop, "supervisor-client");
    t.setDaemon(true);
    t.start();
    return c;
  }

  /** The client named by {@code env}'s {@link #SETTING}, or null if it names none. */
  public static SupervisorClient fromEnvironment(Map<String, String> env) throws IOException {
    String path = env.get(SETTING);
    return path == null || path.isBlank() ? null : connect(Path.of(path));
  }

  /** Where the state of the mount at {@code mountPoint} is kept across workers. */
  public Path stateFile(Path mountPoint) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(mountPoint.toString().getBytes(StandardCharsets.UTF_8));
      return socketPath.resolveSibling("nodes-" + HexFormat.of().formatHex(d, 0, 12));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }

  /** Keeps {@code fds} under {@code name} (replacing what was there); the caller keeps its own. */
  public void put(String name, String description, int[] fds) throws IOException {
    check(name);
    if (description.contains("\n")) {
      throw new IllegalArgumentException("description with a newline: " + description);
    }
    expect(call("PUT\n" + name + "\n" + description, fds), "OK");
  }

  /** Duplicates of the descriptors kept under {@code name}, or null if there are none. */
  public Descriptors take(String name) throws IOException {
    check(name);
    UnixSocket.Message m = call("TAKE\n" + name, new int[0]);
    String text = m.text();
    if (text.equals("NONE")) {
      return null;
    }
    if (!text.startsWith("FDS\n")) {
      throw new IOException("supervisor answered '" + text + "' to TAKE " + name);
    }
    return new Descriptors(text.substring(4), m.fds());
  }

  /** Forgets (and closes in the supervisor) the descriptors of {@code name}: it was unmounted. */
  public void drop(String name) throws IOException {
    check(name);
    expect(call("DROP\n" + name, new int[0]), "OK");
  }

  /** Every name held, with its description, in the order put. */
  public Map<String, String> list() throws IOException {
    String text = call("LIST", new int[0]).text();
    Map<String, String> out = new LinkedHashMap<>();
    String[] lines = text.split("\n");
    for (int i = 1; i < lines.length; i++) {
      int tab = lines[i].indexOf('\t');
      out.put(lines[i].substring(0, tab), lines[i].substring(tab + 1));
    }
    return out;
  }

  /** Lets {@code server} finish its requests before the process halts at a handover. */
  public void register(Drainable server) {
    servers.add(server);
  }

  public void unregister(Drainable server) {
    servers.remove(server);
  }

  @Override
  public void close() {
    closed = true;
    UnixSocket.shutdown(socket);
    UnixSocket.close(socket);
  }

  private synchronized UnixSocket.Message call(String request, int[] fds) throws IOException {
    if (closed) {
      throw new IOException("the supervisor connection is closed");
    }
    UnixSocket.send(socket, request.getBytes(StandardCharsets.UTF_8), fds);
    try {
      UnixSocket.Message m = replies.poll(30, TimeUnit.SECONDS);
      if (m == null) {
        throw new IOException("no answer from the supervisor at " + socketPath + " within 30 s");
      }
      if (m.body().length == 0) {
        throw new IOException("the supervisor at " + socketPath + " went away");
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the supervisor", e);
    }
  }

  private void readLoop() {
    try {
      UnixSocket.Message m;
      while ((m = UnixSocket.receive(socket)) != null) {
        if (m.text().equals("HANDOVER")) {
          handOver();
        } else {
          replies.add(m);
        }
      }
    } catch (IOException e) {
      if (!closed) {
        log.warn("supervisor connection failed: {}", e.getMessage());
      }
    }
    replies.add(new UnixSocket.Message(new byte[0], new int[0]));
  }

  /** Stops every server, waits until they hold no request, and halts without unmounting. */
  private void handOver() {
    log.info("handing over to a new worker: {} mounts stop reading requests", servers.size());
    servers.forEach(Drainable::stopReading);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
    while (!servers.stream().allMatch(Drainable::drained) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    log.info("handed over; this worker exits");
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(0); // no shutdown hooks: they would unmount
  }

  private static void check(String name) {
    if (name.isEmpty() || name.contains("\n") || name.contains("\t")) {
      throw new IllegalArgumentException("mount name '" + name + "' for the supervisor");
    }
  }

  private static void expect(UnixSocket.Message m, String want) throws IOException {
    if (!m.text().equals(want)) {
      throw new IOException("supervisor answered '" + m.text() + "', expected " + want);
    }
  }
}
