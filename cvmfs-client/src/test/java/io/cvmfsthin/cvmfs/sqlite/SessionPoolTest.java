package io.cvmfsthin.cvmfs.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionPoolTest {
  /** A session that counts opens and closes. */
  static final class Fake implements AutoCloseable {
    final int id;
    boolean closed;

    Fake(int id) {
      this.id = id;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final AtomicInteger opened = new AtomicInteger();

  private SessionPool<Fake> pool(int maxIdle, Fake first) {
    return new SessionPool<>(() -> new Fake(opened.incrementAndGet()), maxIdle, first);
  }

  @Test
  void take_reusesTheIdleSession_beforeOpeningAnother() throws SQLException {
    Fake first = new Fake(0);
    SessionPool<Fake> p = pool(4, first);
    Fake s = p.take();
    p.giveBack(s);
    assertThat(p.take()).isSameAs(first);
    assertThat(opened).hasValue(0);
  }

  @Test
  void take_whileAllAreInUse_opensANewSession_withoutWaiting() throws SQLException {
    SessionPool<Fake> p = pool(4, new Fake(0));
    Fake a = p.take();
    Fake b = p.take();
    Fake c = p.take();
    assertThat(List.of(a.id, b.id, c.id)).containsExactly(0, 1, 2);
  }

  @Test
  void giveBack_beyondMaxIdle_closesTheExtraSessions() throws SQLException {
    SessionPool<Fake> p = pool(2, new Fake(0));
    List<Fake> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      taken.add(p.take());
    }
    taken.forEach(p::giveBack);
    assertThat(p.idleCount()).isEqualTo(2);
    assertThat(taken.stream().filter(f -> f.closed)).hasSize(3);
  }

  @Test
  void close_closesIdleSessions_andThoseGivenBackLater() throws SQLException {
    Fake first = new Fake(0);
    SessionPool<Fake> p = pool(4, first);
    Fake inUse = p.take();
    Fake idle = p.take();
    p.giveBack(idle);
    p.close();
    assertThat(idle.closed).isTrue();
    assertThat(inUse.closed).isFalse();
    p.giveBack(inUse);
    assertThat(inUse.closed).isTrue();
  }

  @Test
  void take_afterClose_isRefused() {
    SessionPool<Fake> p = pool(4, new Fake(0));
    p.close();
    assertThatThrownBy(p::take).isInstanceOf(SQLException.class).hasMessageContaining("closed");
  }

  @Test
  void maxIdleBelowOne_isRejected() {
    assertThatThrownBy(() -> pool(0, new Fake(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxIdle < 1: 0");
  }

  @Test
  void failedOpen_isReported_andThePoolStaysUsable() throws SQLException {
    Fake first = new Fake(0);
    SessionPool<Fake> p =
        new SessionPool<>(
            () -> {
              throw new SQLException("disk gone");
            },
            4,
            first);
    Fake s = p.take();
    assertThatThrownBy(p::take).hasMessageContaining("disk gone");
    p.giveBack(s);
    assertThat(p.take()).isSameAs(first);
  }
}
