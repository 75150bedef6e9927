package io.cvmfsthin.cvmfs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {
  static final Map<String, String> BASE =
      Map.of(
          "CVMFS_SERVER_URL",
          "http://127.0.0.1/cvmfs/@fqrn@",
          "CVMFS_PUBLIC_KEY",
          Fixtures.key(Fixtures.FQRN).toString(),
          "CVMFS_CACHE_DIR",
          "/tmp/cache");

  static ClientSettings fromConfig(Map<String, String> extra) throws Exception {
    java.util.Map<String, String> config = new java.util.HashMap<>(BASE);
    config.putAll(extra);
    return ClientSettings.fromConfig(Fixtures.FQRN, config).build();
  }

  @Test
  void fetchSettings_defaultToSixteenFetchesAndFourChunksAhead() throws Exception {
    ClientSettings s = fromConfig(Map.of());
    assertThat(s.maxConcurrentFetches()).isEqualTo(16);
    assertThat(s.readaheadChunks()).isEqualTo(4);
    assertThat(s.fetchExecutor()).isNull();
  }

  @Test
  void fetchSettings_areReadFromTheConfiguration() throws Exception {
    ClientSettings s =
        fromConfig(Map.of("CVMFS_MAX_CONCURRENT_FETCHES", "32", "CVMFS_READAHEAD_CHUNKS", "0"));
    assertThat(s.maxConcurrentFetches()).isEqualTo(32);
    assertThat(s.readaheadChunks()).isZero();
  }

  @Test
  void badFetchSettings_areRejectedNamingTheKey() {
    assertThatThrownBy(() -> fromConfig(Map.of("CVMFS_MAX_CONCURRENT_FETCHES", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CVMFS_MAX_CONCURRENT_FETCHES=0 is less than 1");
    assertThatThrownBy(() -> fromConfig(Map.of("CVMFS_MAX_CONCURRENT_FETCHES", "many")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CVMFS_MAX_CONCURRENT_FETCHES='many' is not a number");
    assertThatThrownBy(() -> fromConfig(Map.of("CVMFS_READAHEAD_CHUNKS", "-2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CVMFS_READAHEAD_CHUNKS=-2 is negative");
  }

  @Test
  void parseBlacklist_keepsFingerprints_andReportsEveryOtherLineWithItsNumber() {
    String good = "A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4";
    String typo = "A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:A1:B2:C3"; // one byte short
    java.util.List<String> reported = new java.util.ArrayList<>();
    var fingerprints =
        ClientSettings.parseBlacklist(
            "# revoked\n" + good + "\n<example.org 12\n\n" + typo + "\n",
            (line, text) -> reported.add(line + ":" + text));
    assertThat(fingerprints)
        .containsExactly(io.cvmfsthin.cvmfs.object.ContentHash.parseFingerprint(good));
    assertThat(reported).containsExactly("5:" + typo);
  }
}
