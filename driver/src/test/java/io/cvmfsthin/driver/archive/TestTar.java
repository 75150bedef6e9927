package io.cvmfsthin.driver.archive;

import io.cvmfsthin.cvmfs.tar.TarHeaders;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds layer tars byte by byte for tests, including ones no sane tool would write. */
public final class TestTar {
  public static final long MTIME = 1_600_000_000L;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public TestTar dir(String name, int mode) {
    return entry(
        name.endsWith("/") ? name : name + "/", TarHeaders.DIRECTORY, mode, 0, 0, null, null);
  }

  public TestTar file(String name, String content) {
    return file(name, 0644, 0, 0, content, null);
  }

  public TestTar file(
      String name, int mode, int uid, int gid, String content, Map<String, byte[]> xattrs) {
    return entry(name, TarHeaders.REGULAR, mode, uid, gid, content, null, 0, 0, xattrs, MTIME);
  }

  public TestTar symlink(String name, String target) {
    return entry(name, TarHeaders.SYMLINK, 0777, 0, 0, null, target);
  }

  public TestTar hardlink(String name, String target) {
    return entry(name, TarHeaders.HARDLINK, 0644, 0, 0, null, target);
  }

  public TestTar fifo(String name) {
    return entry(name, TarHeaders.FIFO, 0644, 0, 0, null, null);
  }

  public TestTar charDevice(String name, int major, int minor) {
    return entry(name, TarHeaders.CHAR, 0666, 0, 0, null, null, major, minor, null, MTIME);
  }

  public TestTar type(String name, char type) {
    return entry(name, (byte) type, 0644, 0, 0, null, null);
  }

  private TestTar entry(
      String name, byte type, int mode, int uid, int gid, String content, String link) {
    return entry(name, type, mode, uid, gid, content, link, 0, 0, null, MTIME);
  }

  public TestTar entry(
      String name,
      byte type,
      int mode,
      long uid,
      long gid,
      String content,
      String link,
      int major,
      int minor,
      Map<String, byte[]> xattrs,
      long mtime) {
    byte[] data = content == null ? new byte[0] : content.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(
        TarHeaders.encode(
            new TarHeaders.Header(
                name,
                type,
                mode,
                uid,
                gid,
                data.length,
                mtime,
                link,
                major,
                minor,
                xattrs == null ? null : new LinkedHashMap<>(xattrs))));
    out.writeBytes(data);
    out.writeBytes(new byte[TarHeaders.padding(data.length)]);
    return this;
  }

  public byte[] bytes() {
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    copy.writeBytes(out.toByteArray());
    copy.writeBytes(new byte[1024]);
    return copy.toByteArray();
  }

  public InputStream stream() {
    return new ByteArrayInputStream(bytes());
  }
}
