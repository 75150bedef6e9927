package io.cvmfsthin.cvmfs.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Spec §12.2 test vectors. */
class ContentHashTest {
  private static final byte[] HELLO_ZLIB =
      HexFormat.of().parseHex("789cf348cdc9c9d75108cf2fca4951e4020024120474");
  private static final byte[] EMPTY_ZLIB = HexFormat.of().parseHex("789c030000000001");

  @Test
  void emptyFileObject_hashesAsTheSpecSays() {
    assertThat(Zlib.compress(new byte[0])).isEqualTo(EMPTY_ZLIB);
    ContentHash h = HashAlgorithm.SHA1.hash(EMPTY_ZLIB);
    assertThat(h.toString()).isEqualTo("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78");
    assertThat(h.objectPath(ObjectType.FILE))
        .isEqualTo("data/e8/ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78");
    assertThat(HashAlgorithm.SHAKE128.hash(EMPTY_ZLIB).hex())
        .isEqualTo("28d94b83b7229b331fc601362b8e272e02665122");
  }

  @Test
  void helloWorld_compressesAndHashesInEveryAlgorithm() {
    byte[] plain = "Hello, World!\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(Zlib.compress(plain)).isEqualTo(HELLO_ZLIB);
    assertThat(HashAlgorithm.SHA1.hash(HELLO_ZLIB).objectPath(ObjectType.CATALOG))
        .isEqualTo("data/28/11d5bf7fca6a3a83dbcfd0968bee5ac070b6c0C");
    ContentHash rmd = HashAlgorithm.RIPEMD160.hash(HELLO_ZLIB);
    assertThat(rmd.toString()).isEqualTo("302d15a5abcd78b2685436f09bb99f6157ef4c67-rmd160");
    assertThat(rmd.objectPath(ObjectType.CATALOG))
        .isEqualTo("data/30/2d15a5abcd78b2685436f09bb99f6157ef4c67-rmd160C");
    assertThat(HashAlgorithm.SHAKE128.hash(HELLO_ZLIB).toString())
        .isEqualTo("875a57489835d181294d6c9c6a0b9f3f7b823979-shake128");
    assertThat(HashAlgorithm.SHA1.hash(plain).hex())
        .isEqualTo("60fde9c2310b0d4cad4dab8d126b04387efba289");
  }

  @Test
  void parse_roundTripsTextAndRefusesUppercaseOrGarbage() {
    for (String s :
        new String[] {
          "2811d5bf7fca6a3a83dbcfd0968bee5ac070b6c0",
          "302d15a5abcd78b2685436f09bb99f6157ef4c67-rmd160",
          "875a57489835d181294d6c9c6a0b9f3f7b823979-shake128"
        }) {
      assertThat(ContentHash.parse(s).toString()).isEqualTo(s);
    }
    assertThatThrownBy(() -> ContentHash.parse("2811D5BF7FCA6A3A83DBCFD0968BEE5AC070B6C0"))
        .hasMessageContaining("lowercase hex");
    assertThatThrownBy(() -> ContentHash.parse("2811d5bf7fca6a3a83dbcfd0968bee5ac070b6c0-md5"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ContentHash.parse("abc")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fingerprint_formatsAndParsesLikeOpenssl() {
    ContentHash h = ContentHash.parse("11f6ad8ec52a2984abaafd7c3b516503785c2072");
    assertThat(h.toFingerprint())
        .isEqualTo("11:F6:AD:8E:C5:2A:29:84:AB:AA:FD:7C:3B:51:65:03:78:5C:20:72");
    assertThat(ContentHash.parseFingerprint(h.toFingerprint() + " # comment")).isEqualTo(h);
    ContentHash shake = ContentHash.parse("875a57489835d181294d6c9c6a0b9f3f7b823979-shake128");
    assertThat(shake.toFingerprint()).endsWith(":79-SHAKE128");
    assertThat(ContentHash.parseFingerprint(shake.toFingerprint())).isEqualTo(shake);
  }

  @Test
  void inflate_refusesBombsAndTruncation() throws Exception {
    byte[] zeros = new byte[10 * 1024 * 1024];
    byte[] bomb = Zlib.compress(zeros);
    assertThat(bomb.length).isLessThan(20_000);
    assertThatThrownBy(() -> Zlib.inflate(bomb, 1024 * 1024))
        .isInstanceOf(DecompressionLimitException.class)
        .hasMessageContaining("1048576");
    assertThat(Zlib.inflate(bomb, zeros.length)).hasSize(zeros.length);

    byte[] truncated = Arrays.copyOf(HELLO_ZLIB, HELLO_ZLIB.length - 6);
    assertThatThrownBy(() -> Zlib.inflate(truncated, 1000)).isInstanceOf(EOFException.class);
  }

  @Test
  void hashingStream_hashesWhatPassesThrough() throws Exception {
    try (HashingInputStream in =
        new HashingInputStream(new ByteArrayInputStream(HELLO_ZLIB), HashAlgorithm.SHA1)) {
      InputStream z = Zlib.inflating(in, 100);
      assertThat(new String(z.readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo("Hello, World!\n");
      assertThat(in.hash().hex()).isEqualTo("2811d5bf7fca6a3a83dbcfd0968bee5ac070b6c0");
    }
  }
}
