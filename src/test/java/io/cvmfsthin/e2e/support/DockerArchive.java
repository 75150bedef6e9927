package io.cvmfsthin.e2e.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A {@code docker save} archive of a one-layer image, made by hand so its layer can hold names that
 * no build would write ({@code /tmp/x}, {@code ../../x}): what {@code docker load} of a hostile or
 * unusual image gives each storage driver.
 */
public final class DockerArchive {
  private final ByteArrayOutputStream layer = new ByteArrayOutputStream();
  private final TarArchiveOutputStream tar = new TarArchiveOutputStream(layer);

  public DockerArchive() {
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
  }

  /** A regular file with mode 0644 under exactly {@code name}. */
  public DockerArchive file(String name, String content) throws IOException {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setMode(0100644);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
    return this;
  }

  /** A directory under exactly {@code name}. */
  public DockerArchive dir(String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
    e.setMode(040755);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  /** A symbolic link {@code name -> target}. */
  public DockerArchive symlink(String name, String target) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
    e.setLinkName(target);
    e.setMode(0120777);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  /** A hard link {@code name} to the earlier entry {@code target}. */
  public DockerArchive hardlink(String name, String target) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
    e.setLinkName(target);
    e.setMode(0100644);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  /** Writes the archive for image {@code tag} to {@code out}. */
  public Path writeTo(Path out, String tag) throws IOException {
    tar.finish();
    tar.close();
    byte[] layerTar = layer.toByteArray();
    String diffId = sha256(layerTar);
    String config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:"
            + diffId
            + "\"]}}";
    byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
    String configName = sha256(configBytes) + ".json";
    String manifest =
        "[{\"Config\":\""
            + configName
            + "\",\"RepoTags\":[\""
            + tag
            + "\"],\"Layers\":[\""
            + diffId
            + "/layer.tar\"]}]";
    try (OutputStream os = Files.newOutputStream(out);
        TarArchiveOutputStream archive = new TarArchiveOutputStream(os)) {
      put(archive, configName, configBytes);
      put(archive, diffId + "/layer.tar", layerTar);
      put(archive, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void put(TarArchiveOutputStream archive, String name, byte[] data)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    archive.putArchiveEntry(e);
    archive.write(data);
    archive.closeArchiveEntry();
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
