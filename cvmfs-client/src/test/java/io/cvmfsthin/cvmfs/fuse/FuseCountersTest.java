package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.fuse.FuseCounters.Op;
import io.cvmfsthin.cvmfs.metrics.RepositoryMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FuseCountersTest {

  /** Records each FUSE call reported. */
  static final class Recorded implements RepositoryMetrics {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void fuseCall(String transport, String operation, long nanos) {
      assertThat(nanos).isNotNegative();
      calls.add(transport + " " + operation);
    }
  }

  @Test
  void finished_reportsTheCallThisThreadAnswered_once() {
    Recorded r = new Recorded();
    FuseCounters c = new FuseCounters(r, "kernel");
    c.call(Op.GETATTR);
    FuseCounters.finished();
    FuseCounters.finished(); // a request with no counted call (FORGET, INIT): nothing
    c.call(Op.OPEN);
    c.call(Op.WRITE_REFUSED); // part of the open, not a call of its own
    FuseCounters.finished();
    assertThat(r.calls).containsExactly("kernel getattr", "kernel open");
    assertThat(c.calls(Op.OPEN)).isEqualTo(1);
    assertThat(c.calls(Op.WRITE_REFUSED)).isEqualTo(1);
  }

  @Test
  void withoutMetrics_countsOnly() throws Exception {
    FuseCounters c = new FuseCounters();
    c.call(Op.READ);
    FuseCounters.finished();
    assertThat(c.calls(Op.READ)).isEqualTo(1);
  }

  @Test
  void callsOnOtherThreads_areTimedApart() throws Exception {
    Recorded r = new Recorded();
    FuseCounters c = new FuseCounters(r, "libfuse");
    c.call(Op.READ);
    Thread t =
        new Thread(
            () -> {
              c.call(Op.READDIR);
              FuseCounters.finished();
            });
    t.start();
    t.join();
    FuseCounters.finished();
    assertThat(r.calls).containsExactly("libfuse readdir", "libfuse read");
  }
}
