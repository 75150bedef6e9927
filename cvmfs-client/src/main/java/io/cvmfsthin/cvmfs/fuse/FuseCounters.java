package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.client.ClientCounters;
import io.cvmfsthin.cvmfs.metrics.RepositoryMetrics;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * FUSE calls by type and errors answered; thread-safe (adders). With metrics, each call's latency
 * too: {@link #call} starts the clock of the request the thread is answering and {@link #finished},
 * called by the transport once the request is answered, stops it.
 */
public final class FuseCounters {
  /** The FUSE operations counted. */
  public enum Op {
    GETATTR,
    READLINK,
    OPENDIR,
    READDIR,
    OPEN,
    READ,
    RELEASE,
    STATFS,
    GETXATTR,
    LISTXATTR,
    ACCESS,
    WRITE_REFUSED
  }

  private final Map<Op, LongAdder> calls = new EnumMap<>(Op.class);
  private final LongAdder errors = new LongAdder(); // EIO and other failures, not ENOENT/ENODATA
  private final LongAdder bytesRead = new LongAdder();
  private final RepositoryMetrics metrics;
  private final String transport;

  /** The request this thread is answering (a worker answers one at a time), or none. */
  private static final ThreadLocal<Running> RUNNING = ThreadLocal.withInitial(Running::new);

  private static final class Running {
    FuseCounters counters; // null: no call timed
    Op op;
    long startNanos;
  }

  private static final String[] OP_NAMES = new String[Op.values().length];

  static {
    for (Op op : Op.values()) {
      OP_NAMES[op.ordinal()] = op.name().toLowerCase(Locale.ROOT);
    }
  }

  FuseCounters() {
    this(RepositoryMetrics.NONE, FuseTransport.LIBFUSE.configName());
  }

  /** Counting, and reporting each call and its latency to {@code metrics} as {@code transport}. */
  FuseCounters(RepositoryMetrics metrics, String transport) {
    this.metrics = metrics;
    this.transport = transport;
    for (Op op : Op.values()) {
      calls.put(op, new LongAdder());
    }
  }

  public void call(Op op) {
    calls.get(op).increment();
    if (metrics != RepositoryMetrics.NONE && op != Op.WRITE_REFUSED) {
      Running r = RUNNING.get();
      r.counters = this;
      r.op = op;
      r.startNanos = System.nanoTime();
    }
  }

  /**
   * The request this thread answered is done: the latency of its counted call, if any, goes to the
   * metrics. Each transport calls this once per request, after its reply.
   */
  public static void finished() {
    Running r = RUNNING.get();
    FuseCounters c = r.counters;
    if (c != null) {
      r.counters = null;
      c.metrics.fuseCall(c.transport, OP_NAMES[r.op.ordinal()], System.nanoTime() - r.startNanos);
    }
  }

  void error() {
    errors.increment();
  }

  public void read(long bytes) {
    bytesRead.add(bytes);
  }

  long calls(Op op) {
    return calls.get(op).sum();
  }

  long errors() {
    return errors.sum();
  }

  /** One {@code name=value} per line: the client's fetch and cache counters, then ours. */
  String format(ClientCounters c) {
    StringBuilder sb = new StringBuilder();
    line(sb, "fetches", c.downloads());
    line(sb, "fetched_bytes", c.downloadedBytes());
    line(sb, "fetch_failures", c.failedFetches());
    line(sb, "cache_hits", c.cacheHits());
    line(sb, "cache_misses", c.cacheMisses());
    line(sb, "cache_used_bytes", c.cacheUsedBytes());
    line(sb, "cache_quota_bytes", c.cacheQuotaBytes());
    line(sb, "read_bytes", bytesRead.sum());
    line(sb, "errors", errors.sum());
    for (Op op : Op.values()) {
      line(sb, "fuse_" + op.name().toLowerCase(Locale.ROOT), calls(op));
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String name, long value) {
    sb.append(name).append('=').append(value).append('\n');
  }
}
