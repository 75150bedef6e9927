package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Formatting and argument errors; no network. */
class CliTest {
  static DirectoryEntry entry(String path, int mode, long size, long rdev, String target) {
    return new DirectoryEntry(
        path,
        mode,
        size,
        rdev,
        1704067200L,
        0,
        1000,
        100,
        null,
        HashAlgorithm.SHA1,
        Compression.ZLIB,
        false,
        target,
        0,
        1,
        new TreeMap<>(),
        0);
  }

  @ParameterizedTest
  @CsvSource({
    "0100644, -rw-r--r--",
    "0104755, -rwsr-xr-x",
    "0102644, -rw-r-Sr--",
    "0041777, drwxrwxrwt",
    "0120777, lrwxrwxrwx",
    "0010644, prw-r--r--",
    "0140755, srwxr-xr-x",
    "0020600, crw-------",
    "0060644, brw-r--r--",
  })
  void mode_isPrintedAsLsDoes(String octal, String expected) {
    assertThat(LongListing.mode(Integer.parseInt(octal, 8))).isEqualTo(expected);
  }

  @Test
  void line_showsOwnerSizeTimeNameAndTarget() {
    assertThat(LongListing.line(entry("/a/l", 0120777, 6, 0, "../bin"), "l"))
        .isEqualTo("lrwxrwxrwx 1000 100 6 2024-01-01 00:00:00 l -> ../bin");
    assertThat(LongListing.line(entry("/d", 020644, 0, DeviceNumbers.makedev(7, 200), ""), "d"))
        .isEqualTo("crw-r--r-- 1000 100 7, 200 2024-01-01 00:00:00 d");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ls", "cat"})
  void missingArguments_failWithOneLine(String command) {
    Cli r = Cli.run(command);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr().strip())
        .startsWith("error: Missing required parameter")
        .doesNotContain("\n");
    assertThat(r.stdout()).isEmpty();
  }

  @Test
  void unknownOption_failsWithOneLine() {
    Cli r = Cli.run("cat", "--bogus", "a.b", "/x");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr().strip()).contains("Unknown option: '--bogus'").doesNotContain("\n");
  }

  @Test
  void noServer_failsWithOneLine() {
    Cli r = Cli.run("ls", "a.example.org", "/");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr().strip())
        .isEqualTo("error: a.example.org: no server URL (CVMFS_SERVER_URL, --url)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ls", "cat"})
  void help_isThere(String command) {
    Cli r = Cli.run(command, "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("--url=URL", "--key=PUBKEY", "--tag=TAG", "--cache=DIR", "--config=FILE");
  }
}
