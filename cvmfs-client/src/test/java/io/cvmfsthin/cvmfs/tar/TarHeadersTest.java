package io.cvmfsthin.cvmfs.tar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/** What TarHeaders writes, Commons Compress reads back; binary xattrs survive RawPaxHeaders. */
class TarHeadersTest {
  static final byte[] CAP = {
    1, 0, 0, 2, (byte) 0xff, (byte) 0xc0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  };

  private final ByteArrayOutputStream tar = new ByteArrayOutputStream();

  private void entry(TarHeaders.Header h, byte[] data) {
    tar.writeBytes(TarHeaders.encode(h));
    tar.writeBytes(data);
    tar.writeBytes(new byte[TarHeaders.padding(data.length)]);
  }

  private byte[] archive() {
    tar.writeBytes(new byte[TarHeaders.END]);
    return tar.toByteArray();
  }

  @Test
  void longAndNonAsciiNames_bigNumbers_readBack() throws Exception {
    String longName = "dir/" + "x".repeat(200);
    byte[] data = "data".getBytes(StandardCharsets.UTF_8);
    entry(
        new TarHeaders.Header(
            longName,
            TarHeaders.REGULAR,
            04755,
            3_000_000,
            70_000,
            data.length,
            1_700_000_000L,
            null,
            0,
            0,
            null),
        data);
    entry(
        new TarHeaders.Header(
            "é/ü", TarHeaders.SYMLINK, 0777, 0, 0, 0, -5, "t".repeat(150), 0, 0, null),
        new byte[0]);
    entry(
        new TarHeaders.Header(
            "dev/big", TarHeaders.CHAR, 0666, 0, 0, 0, 0, null, 3_000_000, 3, null),
        new byte[0]);
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(archive()), "UTF-8")) {
      TarArchiveEntry e = in.getNextEntry();
      assertThat(e.getName()).isEqualTo(longName);
      assertThat(e.getMode() & 07777).isEqualTo(04755);
      assertThat(e.getLongUserId()).isEqualTo(3_000_000);
      assertThat(e.getLongGroupId()).isEqualTo(70_000);
      assertThat(e.getModTime().getTime()).isEqualTo(1_700_000_000_000L);
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("data");
      e = in.getNextEntry();
      assertThat(e.getName()).isEqualTo("é/ü");
      assertThat(e.getLinkName()).isEqualTo("t".repeat(150));
      assertThat(e.getModTime().getTime()).isEqualTo(-5000);
      e = in.getNextEntry();
      assertThat(e.isCharacterDevice()).isTrue();
      assertThat(e.getDevMajor()).isEqualTo(3_000_000);
      assertThat(e.getDevMinor()).isEqualTo(3);
      assertThat(in.getNextEntry()).isNull();
    }
  }

  @Test
  void binaryXattr_andALongName_shareOnePaxHeader_andReadBackExactly() throws Exception {
    String longName = "bin/" + "p".repeat(120);
    entry(
        new TarHeaders.Header(
            longName,
            TarHeaders.REGULAR,
            0755,
            0,
            0,
            1,
            0,
            null,
            0,
            0,
            Map.of("security.capability", CAP)),
        new byte[] {'p'});
    byte[] bytes = archive();
    // one PAX header, then the entry's own header
    assertThat(bytes[156]).isEqualTo((byte) 'x');
    int paxSize = Integer.parseInt(new String(bytes, 124, 11, StandardCharsets.US_ASCII), 8);
    int entryHeader = TarHeaders.BLOCK + (paxSize + 511) / 512 * 512;
    assertThat(bytes[entryHeader + 156]).isEqualTo(TarHeaders.REGULAR);

    RawPaxHeaders raw = new RawPaxHeaders(new ByteArrayInputStream(bytes));
    TarArchiveInputStream in = new TarArchiveInputStream(raw, "UTF-8");
    raw.startRecording();
    TarArchiveEntry e = in.getNextEntry();
    assertThat(e.getName()).isEqualTo(longName);
    assertThat(raw.xattrs()).containsOnlyKeys("security.capability");
    // Commons Compress alone loses the bytes that are no UTF-8
    assertThat(e.getExtraPaxHeader("SCHILY.xattr.security.capability")).contains("\uFFFD");
  }

  @Test
  void binaryXattr_valueIsExact() throws Exception {
    entry(
        new TarHeaders.Header(
            "ping",
            TarHeaders.REGULAR,
            0755,
            0,
            0,
            1,
            0,
            null,
            0,
            0,
            Map.of("security.capability", CAP)),
        new byte[] {'p'});
    RawPaxHeaders raw = new RawPaxHeaders(new ByteArrayInputStream(archive()));
    TarArchiveInputStream in = new TarArchiveInputStream(raw, "UTF-8");
    raw.startRecording();
    in.getNextEntry();
    assertThat(raw.xattrs().get("security.capability")).containsExactly(CAP);
  }

  @Test
  void padding() {
    assertThat(TarHeaders.padding(0)).isZero();
    assertThat(TarHeaders.padding(1)).isEqualTo(511);
    assertThat(TarHeaders.padding(512)).isZero();
  }
}
