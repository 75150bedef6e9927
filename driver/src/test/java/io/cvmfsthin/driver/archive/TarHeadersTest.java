package io.cvmfsthin.driver.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.tar.RawPaxHeaders;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/** What TarHeaders writes, Commons Compress reads back; binary xattrs survive RawPaxHeaders. */
class TarHeadersTest {
  static final byte[] CAP = {
    1, 0, 0, 2, (byte) 0xff, (byte) 0xc0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  };

  @Test
  void longAndNonAsciiNames_bigIds_readBack() throws Exception {
    String longName = "dir/" + "x".repeat(200);
    byte[] tar =
        new TestTar()
            .entry(
                longName,
                TarHeaders.REGULAR,
                04755,
                3_000_000,
                70_000,
                "data",
                null,
                0,
                0,
                null,
                1_700_000_000L)
            .entry("é/ü", TarHeaders.SYMLINK, 0777, 0, 0, null, "t".repeat(150), 0, 0, null, 0)
            .entry("dev/null", TarHeaders.CHAR, 0666, 0, 0, null, null, 1, 3, null, 0)
            .bytes();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
      TarArchiveEntry e = in.getNextEntry();
      assertThat(e.getName()).isEqualTo(longName);
      assertThat(e.getMode() & 07777).isEqualTo(04755);
      assertThat(e.getLongUserId()).isEqualTo(3_000_000);
      assertThat(e.getLongGroupId()).isEqualTo(70_000);
      assertThat(e.getModTime().getTime()).isEqualTo(1_700_000_000_000L);
      assertThat(new String(in.readAllBytes())).isEqualTo("data");
      e = in.getNextEntry();
      assertThat(e.getName()).isEqualTo("é/ü");
      assertThat(e.getLinkName()).isEqualTo("t".repeat(150));
      e = in.getNextEntry();
      assertThat(e.isCharacterDevice()).isTrue();
      assertThat(e.getDevMajor()).isEqualTo(1);
      assertThat(e.getDevMinor()).isEqualTo(3);
      assertThat(in.getNextEntry()).isNull();
    }
  }

  @Test
  void binaryXattr_isRecoveredExactly() throws Exception {
    byte[] tar =
        new TestTar()
            .file("a", "first")
            .file("bin/ping", 0755, 0, 0, "p", Map.of("security.capability", CAP))
            .bytes();
    RawPaxHeaders raw = new RawPaxHeaders(new ByteArrayInputStream(tar));
    TarArchiveInputStream in = new TarArchiveInputStream(raw, "UTF-8");
    raw.startRecording();
    in.getNextEntry();
    assertThat(raw.xattrs()).isNull();
    in.readAllBytes();
    raw.startRecording();
    TarArchiveEntry e = in.getNextEntry();
    assertThat(e.getName()).isEqualTo("bin/ping");
    assertThat(raw.xattrs()).containsOnlyKeys("security.capability");
    assertThat(raw.xattrs()).isNull(); // consumed
    // Commons Compress alone would have lost the bytes >= 0x80
    assertThat(e.getExtraPaxHeader("SCHILY.xattr.security.capability")).contains("\uFFFD");
  }

  @Test
  void padding() {
    assertThat(TarHeaders.padding(0)).isZero();
    assertThat(TarHeaders.padding(1)).isEqualTo(511);
    assertThat(TarHeaders.padding(512)).isZero();
  }

  static InputStream unused() {
    return InputStream.nullInputStream();
  }
}
