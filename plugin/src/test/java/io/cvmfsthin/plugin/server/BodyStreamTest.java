package io.cvmfsthin.plugin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BodyStreamTest {

  @Test
  void readingStopsAboveHighWaterAndResumesBelowLowWater() throws IOException {
    EmbeddedChannel ch = new EmbeddedChannel();
    BodyStream s = new BodyStream(ch);
    int chunk = 64 * 1024;
    int chunks = BodyStream.HIGH_WATER_BYTES / chunk;
    for (int i = 0; i < chunks; i++) {
      assertThat(ch.config().isAutoRead()).isTrue();
      s.offer(Unpooled.wrappedBuffer(new byte[chunk]));
    }
    assertThat(ch.config().isAutoRead()).isFalse();
    byte[] buf = new byte[chunk];
    long read = 0;
    while (BodyStream.HIGH_WATER_BYTES - read > BodyStream.LOW_WATER_BYTES) {
      read += s.read(buf, 0, buf.length);
    }
    ch.runPendingTasks();
    assertThat(ch.config().isAutoRead()).isTrue();
    s.end();
    while (s.read(buf, 0, buf.length) >= 0) {
      read += 0;
    }
    assertThat(s.totalBytes()).isEqualTo(BodyStream.HIGH_WATER_BYTES);
  }

  @Test
  void brokenConnection_failsTheReader() {
    EmbeddedChannel ch = new EmbeddedChannel();
    BodyStream s = new BodyStream(ch);
    s.offer(Unpooled.wrappedBuffer(new byte[10]));
    s.abort(new IOException("gone"));
    assertThatThrownBy(() -> s.readAllBytes())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("broken off after 10 bytes");
  }
}
