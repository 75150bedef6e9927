package io.cvmfsthin.plugin.server;

import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend that records the calls it gets, for protocol tests. The real layer store has its own
 * tests; here only the wire mapping is under test.
 */
class RecordingBackend implements GraphDriverBackend {
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile long appliedBytes;
  volatile long diffBytes = 3 * 1024 * 1024;
  volatile boolean failDiffMidStream;
  volatile IOException applyFailure;
  volatile long readDelayMillis;
  volatile boolean diffClosed;

  @Override
  public void init(Path home, List<String> options, List<IdMap> uidMaps, List<IdMap> gidMaps) {
    calls.add("init " + home + " " + options + " " + uidMaps + " " + gidMaps);
  }

  @Override
  public void create(String id, String parent, String mountLabel, Map<String, String> opts)
      throws IOException {
    if (id.equals("fail")) {
      throw new IOException("layer fail: disk on fire");
    }
    calls.add("create " + id + " parent=" + parent + " opts=" + opts);
  }

  @Override
  public void createReadWrite(String id, String parent, String mountLabel, Map<String, String> o) {
    calls.add("createReadWrite " + id + " parent=" + parent + " opts=" + o);
  }

  @Override
  public void remove(String id) {
    calls.add("remove " + id);
  }

  @Override
  public Path get(String id, String mountLabel) {
    calls.add("get " + id);
    return Path.of("/data/driver", id, "merged");
  }

  @Override
  public void put(String id) {
    calls.add("put " + id);
  }

  @Override
  public boolean exists(String id) {
    return id.equals("present");
  }

  @Override
  public List<Map.Entry<String, String>> status() {
    return List.of(Map.entry("Backing Filesystem", "extfs"), Map.entry("Supports d_type", "true"));
  }

  @Override
  public Map<String, String> metadata(String id) {
    return Map.of("UpperDir", "/data/driver/" + id + "/diff");
  }

  @Override
  public void cleanup() {
    calls.add("cleanup");
  }

  @Override
  public InputStream diff(String id, String parent) throws IOException {
    if (id.equals("missing")) {
      throw new IOException("layer missing does not exist");
    }
    calls.add("diff " + id + " parent=" + parent);
    InputStream data =
        new InputStream() {
          long left = diffBytes;

          @Override
          public int read() {
            return left-- > 0 ? (int) (left & 0x7f) : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
              b[off + i] = (byte) ((left - i) & 0x7f);
            }
            left -= n;
            return n;
          }
        };
    InputStream tar =
        !failDiffMidStream
            ? data
            : new SequenceInputStream(
                data,
                new InputStream() {
                  @Override
                  public int read() throws IOException {
                    throw new IOException("disk read error in the middle of the layer");
                  }
                });
    return new FilterInputStream(tar) {
      @Override
      public void close() throws IOException {
        diffClosed = true;
        super.close();
      }
    };
  }

  @Override
  public List<Change> changes(String id, String parent) {
    return List.of(
        new Change("/etc/passwd", ChangeKind.MODIFIED), new Change("/tmp/x", ChangeKind.DELETED));
  }

  @Override
  public long applyDiff(String id, String parent, InputStream tar) throws IOException {
    calls.add("applyDiff " + id + " parent=" + parent);
    if (applyFailure != null) {
      tar.readNBytes(1000);
      throw applyFailure;
    }
    try {
      return readAll(tar);
    } catch (IOException e) {
      calls.add("applyDiff " + id + " failed: " + e.getMessage());
      throw e;
    }
  }

  private long readAll(InputStream tar) throws IOException {
    byte[] buf = new byte[32 * 1024];
    long total = 0;
    int n;
    while ((n = tar.read(buf)) >= 0) {
      total += n;
      if (readDelayMillis > 0) {
        try {
          Thread.sleep(readDelayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
    }
    appliedBytes = total;
    return total;
  }

  @Override
  public long diffSize(String id, String parent) {
    return 4096;
  }

  @Override
  public boolean reproducesExactDiffs() {
    return false;
  }

  static InputStream bytes(byte[] b) {
    return new ByteArrayInputStream(b);
  }
}
