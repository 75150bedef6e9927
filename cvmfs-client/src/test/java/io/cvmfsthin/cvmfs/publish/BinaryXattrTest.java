package io.cvmfsthin.cvmfs.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.XattrBlob;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A binary xattr value (a file capability, bytes that are no UTF-8) written by GNU tar as a raw PAX
 * record reaches the catalog byte for byte; commons-compress alone would decode it as text.
 */
class BinaryXattrTest {
  static final String FQRN = "binary-xattr.example.org";
  static final byte[] CAPABILITY = {
    0x01,
    0x00,
    0x00,
    0x02,
    (byte) 0xff,
    (byte) 0xff,
    (byte) 0xc3,
    (byte) 0x80,
    (byte) 0x80,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00
  };

  @TempDir Path tmp;

  @Test
  void securityCapability_isKeptByteForByte() throws Exception {
    Path storage = tmp.resolve("srv");
    Path keys = tmp.resolve("keys");
    RepositoryPublisher p = TestRepos.create(storage, keys, FQRN);
    p.publish(Publication.tar("/", new ByteArrayInputStream(tarWithCapability())));
    RepositoryInspector repo = RepositoryInspector.inspect(storage, keys, FQRN);
    SortedMap<String, byte[]> x = XattrBlob.decode(repo.entries.get("/ping").xattr());
    assertThat(x).containsOnlyKeys("security.capability");
    assertThat(x.get("security.capability")).containsExactly(CAPABILITY);
  }

  /** A PAX header whose record holds raw bytes, then the file, as GNU tar --xattrs writes. */
  static byte[] tarWithCapability() {
    byte[] key = "SCHILY.xattr.security.capability=".getBytes(StandardCharsets.US_ASCII);
    int body = 1 + key.length + CAPABILITY.length + 1; // " " + key + value + "\n"
    int len = body + String.valueOf(body).length();
    if (String.valueOf(len).length() != String.valueOf(body).length()) {
      len++;
    }
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
    record.writeBytes(key);
    record.writeBytes(CAPABILITY);
    record.write('\n');
    byte[] pax = record.toByteArray();
    assertThat(pax).hasSize(len);

    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(header("./PaxHeaders/ping", pax.length, 'x'));
    tar.writeBytes(padded(pax));
    tar.writeBytes(header("ping", 1, '0'));
    tar.writeBytes(padded(new byte[] {'x'}));
    tar.writeBytes(new byte[1024]);
    return tar.toByteArray();
  }

  static byte[] header(String name, long size, char type) {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, String.format("%07o", 0755));
    put(h, 108, String.format("%07o", 0));
    put(h, 116, String.format("%07o", 0));
    put(h, 124, String.format("%011o", size));
    put(h, 136, String.format("%011o", 1704067200L));
    Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = (byte) type;
    put(h, 257, "ustar");
    put(h, 263, "00");
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  static byte[] padded(byte[] data) {
    return Arrays.copyOf(data, (data.length + 511) / 512 * 512);
  }

  static void put(byte[] h, int offset, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, offset, b.length);
  }
}
