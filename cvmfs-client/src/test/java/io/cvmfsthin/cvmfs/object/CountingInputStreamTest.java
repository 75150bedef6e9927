package io.cvmfsthin.cvmfs.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class CountingInputStreamTest {
  static final byte[] DATA = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  @Test
  void countsReadsAndSkips_andASubclassSeesEveryByteOnce() throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    try (CountingInputStream in =
        new CountingInputStream(new ByteArrayInputStream(DATA)) {
          @Override
          protected void consumed(byte[] b, int off, int n) {
            seen.write(b, off, n);
          }
        }) {
      assertThat(in.read()).isEqualTo('0');
      assertThat(in.skip(4)).isEqualTo(4);
      assertThat(in.readNBytes(3)).containsExactly('5', '6', '7');
      assertThat(in.drain()).isEqualTo(8);
      assertThat(in.count()).isEqualTo(DATA.length);
    }
    assertThat(seen.toByteArray()).isEqualTo(DATA);
  }

  @Test
  void pastTheLimit_failsWithTheGivenException() throws IOException {
    try (CountingInputStream in =
        new CountingInputStream(
            new ByteArrayInputStream(DATA), 10, DecompressionLimitException::new)) {
      assertThat(in.readNBytes(10)).hasSize(10);
      assertThatThrownBy(in::read).isInstanceOf(DecompressionLimitException.class);
    }
  }

  @Test
  void theEnd_canFailTheRead() {
    CountingInputStream in =
        new CountingInputStream(new ByteArrayInputStream(DATA)) {
          @Override
          protected void ended(long total) throws EOFException {
            throw new EOFException("only " + total);
          }
        };
    assertThatThrownBy(in::readAllBytes).isInstanceOf(EOFException.class).hasMessage("only 16");
  }

  @Test
  void aLimitWithoutItsFailure_isRefused() {
    assertThatThrownBy(() -> new CountingInputStream(new ByteArrayInputStream(DATA), 1, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
