package io.cvmfsthin.cvmfs.prefetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefetchListTest {
  private static final String L = "/.layers/ab/ab12/layerfs";

  @Test
  void roundTrip_keepsOrderAndPaths() throws IOException {
    PrefetchList list =
        new PrefetchList(List.of(L + "/usr/bin/python3", L + "/etc/passwd", L + "/a b/ü"));
    byte[] bytes = list.toBytes();
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .startsWith("# cvmfs-thin prefetch v1\n" + L + "/usr/bin/python3\n");
    PrefetchList.Read read = PrefetchList.read(bytes, "test");
    assertThat(read.list()).isEqualTo(list);
    assertThat(read.skippedLines()).isZero();
    assertThat(read.truncated()).isFalse();
  }

  @Test
  void of_dropsRepeatsAndNonPaths_keepingFirstOpenOrder() {
    PrefetchList list = PrefetchList.of(List.of(L + "/b", L + "/a", L + "/b", "rel", L + "/x\ny"));
    assertThat(list.paths()).containsExactly(L + "/b", L + "/a");
  }

  @Test
  void read_withoutHeader_isRejected() {
    assertThatThrownBy(() -> PrefetchList.read(bytes(L + "/a\n"), "state/prefetch/abc"))
        .isInstanceOf(PrefetchListFormatException.class)
        .hasMessageContaining("state/prefetch/abc")
        .hasMessageContaining("not a prefetch list")
        .hasMessageContaining("# cvmfs-thin prefetch v1");
    assertThatThrownBy(() -> PrefetchList.read(new byte[0], "empty"))
        .isInstanceOf(PrefetchListFormatException.class)
        .hasMessageContaining("missing");
    assertThatThrownBy(() -> PrefetchList.read(bytes("# cvmfs-thin prefetch v2\n"), "v2"))
        .isInstanceOf(PrefetchListFormatException.class)
        .hasMessageContaining("'# cvmfs-thin prefetch v2'");
  }

  @Test
  void read_skipsBadLinesRepeatsAndComments_andCountsThem() throws IOException {
    String text =
        "# cvmfs-thin prefetch v1\r\n"
            + L
            + "/a\r\n"
            + "\n"
            + "# a comment\n"
            + "relative/path\n"
            + L
            + "/../etc/shadow\n"
            + L
            + "//b\n"
            + L
            + "/a\n"
            + "/"
            + "x".repeat(PrefetchList.MAX_LINE_BYTES)
            + "\n"
            + L
            + "/c";
    PrefetchList.Read read = PrefetchList.read(bytes(text), "t");
    assertThat(read.list().paths()).containsExactly(L + "/a", L + "/c");
    assertThat(read.skippedLines()).isEqualTo(5);
    assertThat(read.truncated()).isFalse();
  }

  @Test
  void read_ofAMillionEntries_takesTheFirstHundredThousand_andStopsReading() throws IOException {
    CountingLines in = new CountingLines(1_000_000);
    PrefetchList.Read read = PrefetchList.read(in, "big");
    assertThat(read.list().paths()).hasSize(PrefetchList.MAX_ENTRIES);
    assertThat(read.list().paths().get(0)).isEqualTo(L + "/f0");
    assertThat(read.truncated()).isTrue();
    assertThat(in.linesServed).as("lines read from the stream").isLessThan(110_000);
  }

  @Test
  void read_ofEndlessEmptyLines_stopsAfterMaxLines() throws IOException {
    long[] served = {0};
    InputStream header = new java.io.ByteArrayInputStream(bytes(PrefetchList.HEADER + "\n"));
    InputStream newlines =
        new InputStream() {
          @Override
          public int read() {
            return ++served[0] > 100_000_000L ? -1 : '\n';
          }
        };
    PrefetchList.Read read =
        PrefetchList.read(new java.io.SequenceInputStream(header, newlines), "junk");
    assertThat(read.list().paths()).isEmpty();
    assertThat(read.truncated()).isTrue();
    assertThat(served[0]).isLessThan(2L * PrefetchList.MAX_LINES);
  }

  @Test
  void repositoryPath_spreadsByTheKeysFirstTwoDigits() {
    String key = "ab" + "0".repeat(62);
    assertThat(PrefetchList.repositoryPath(key)).isEqualTo("/.prefetch/ab/" + key + "/list");
    assertThatThrownBy(() -> PrefetchList.repositoryPath("../x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a chain key");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A list of n entries generated on the fly, counting the lines handed out. */
  private static final class CountingLines extends InputStream {
    private final int n;
    private int line = -1;
    private byte[] current = (PrefetchList.HEADER + "\n").getBytes(StandardCharsets.UTF_8);
    private int pos;
    int linesServed;

    CountingLines(int n) {
      this.n = n;
    }

    @Override
    public int read() {
      if (pos == current.length) {
        line++;
        if (line >= n) {
          return -1;
        }
        linesServed++;
        current = (L + "/f" + line + "\n").getBytes(StandardCharsets.UTF_8);
        pos = 0;
      }
      return current[pos++];
    }
  }
}
