package io.cvmfsthin.driver.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThinRecordTest {
  @Test
  void format_parse_roundTrip_withSpaceInPath() {
    ThinRecord record =
        new ThinRecord(
            List.of(
                new ThinRecord.Entry("AAAA", "a.example.org", ".layers/aa/x/layerfs"),
                new ThinRecord.Entry("BBBB", "b.example.org", "odd dir/with space"),
                new ThinRecord.Entry("CCCC", "a.example.org", "c")));
    assertThat(ThinRecord.parse(record.format())).isEqualTo(record);
    assertThat(record.lowerDirs()).containsExactly("l/AAAA", "l/BBBB", "l/CCCC");
    assertThat(record.repositories()).containsExactly("a.example.org", "b.example.org");
    assertThat(record.layers().get(1).url()).isEqualTo("cvmfs://b.example.org/odd dir/with space");
  }
}
