/*
 * An HTTP delay/bandwidth shaper for the benchmark (tc netem is not available here): a TCP proxy
 * that holds each HTTP request back by a fixed delay and passes the bytes of each direction through
 * one shared token bucket. Run as a single-file program (Java 17):
 *
 *   java Shaper.java MODEFILE LISTEN_PORT:TARGET_PORT...
 *
 * Everything is on 127.0.0.1. MODEFILE holds "DELAY_MS RATE_MBIT" (e.g. "10 100"; "0 0" passes
 * through unshaped) and is re-read every 200 ms, so one process serves shaped and unshaped runs on
 * the same ports. A request is recognised as a client chunk that starts with an HTTP method; the
 * delay is applied once per request, before it is forwarded. The rate applies to all connections
 * together, per direction, as a link of that speed would.
 */
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public final class Shaper {
  private static final List<String> METHODS =
      List.of("GET ", "HEAD ", "PUT ", "POST ", "PATCH ", "DELETE ", "OPTIONS ");

  private static volatile long delayMs;
  private static volatile long bytesPerSecond; // 0: unlimited

  /** A link direction: reserves transmission time for each chunk on one shared timeline. */
  private static final class Link {
    private static final long BURST_NANOS = 50_000_000L;
    private long nextFreeNanos; // guarded by this

    void send(int n) throws InterruptedException {
      long rate = bytesPerSecond;
      if (rate <= 0) {
        return;
      }
      long done;
      synchronized (this) {
        long now = System.nanoTime();
        // Up to BURST of idle time is credited back, so that sleeping late (a busy machine) does
        // not lower the mean rate below the link's.
        long start = Math.max(now - BURST_NANOS, nextFreeNanos);
        nextFreeNanos = start + n * 1_000_000_000L / rate;
        done = nextFreeNanos;
      }
      long wait = done - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
  }

  private static final Link UP = new Link();
  private static final Link DOWN = new Link();

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: java Shaper.java MODEFILE LISTEN_PORT:TARGET_PORT...");
      System.exit(2);
    }
    Path modeFile = Path.of(args[0]);
    readMode(modeFile);
    Thread watcher =
        new Thread(
            () -> {
              while (true) {
                try {
                  Thread.sleep(200);
                  readMode(modeFile);
                } catch (InterruptedException e) {
                  return;
                } catch (IOException | RuntimeException e) {
                  System.err.println("shaper: cannot read " + modeFile + ": " + e);
                }
              }
            },
            "mode-watcher");
    watcher.setDaemon(true);
    watcher.start();
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (int i = 1; i < args.length; i++) {
      String[] p = args[i].split(":");
      int listen = Integer.parseInt(p[0]);
      int target = Integer.parseInt(p[1]);
      ServerSocket server = new ServerSocket(listen, 128, lo);
      Thread t = new Thread(() -> accept(server, lo, target), "accept-" + listen);
      t.start();
    }
    System.err.println("shaper: ready, mode " + delayMs + " ms, " + bytesPerSecond + " B/s");
  }

  private static void readMode(Path modeFile) throws IOException {
    String[] v = Files.readString(modeFile).trim().split("\\s+");
    delayMs = Long.parseLong(v[0]);
    bytesPerSecond = Long.parseLong(v[1]) * 1_000_000L / 8;
  }

  private static void accept(ServerSocket server, InetAddress lo, int target) {
    while (true) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(lo, target);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        Connection c = new Connection(client, upstream);
        Thread up = new Thread(() -> c.pump(client, upstream, UP, true), "up");
        Thread down = new Thread(() -> c.pump(upstream, client, DOWN, false), "down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
      } catch (IOException e) {
        System.err.println("shaper: accept on " + server.getLocalPort() + ": " + e);
      }
    }
  }

  /** Both sockets of one proxied connection; closed when both directions have ended. */
  private static final class Connection {
    private final Socket a;
    private final Socket b;
    private int ended; // guarded by this

    Connection(Socket a, Socket b) {
      this.a = a;
      this.b = b;
    }

    void pump(Socket from, Socket to, Link link, boolean requests) {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
          if (requests && delayMs > 0 && startsRequest(buf, n)) {
            Thread.sleep(delayMs);
          }
          link.send(n);
          out.write(buf, 0, n);
          out.flush();
        }
        to.shutdownOutput();
        end(false);
      } catch (IOException e) {
        end(true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        end(true);
      }
    }

    private void end(boolean failed) {
      synchronized (this) {
        ended++;
        if (!failed && ended < 2) {
          return;
        }
      }
      closeQuietly(a);
      closeQuietly(b);
    }
  }

  private static boolean startsRequest(byte[] buf, int n) {
    String head = new String(buf, 0, Math.min(n, 8), StandardCharsets.US_ASCII);
    for (String m : METHODS) {
      if (head.startsWith(m)) {
        return true;
      }
    }
    return false;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
