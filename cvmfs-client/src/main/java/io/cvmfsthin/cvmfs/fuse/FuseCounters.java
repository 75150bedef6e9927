package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.client.ClientCounters;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** FUSE calls by type and errors answered; thread-safe (adders). */
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

  FuseCounters() {
    for (Op op : Op.values()) {
      calls.put(op, new LongAdder());
    }
  }

  public void call(Op op) {
    calls.get(op).increment();
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
