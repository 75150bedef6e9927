package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.layer.LayerFormatException;
import io.cvmfsthin.thinimage.layer.LayerStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The tar the publisher reads for one layer: the layer's entries under {@code layerfs/} (hard-link
 * targets too), a {@code layerfs/.cvmfscatalog} marker, then {@code .metadata/} files; all below a
 * prefix when the publication starts higher up ({@code .layers} or {@code .layers/<h2>} do not
 * exist yet, so they come in the same publication, with their catalog markers). Pull-based and
 * single-threaded: each read converts a little more of the layer, so nothing is buffered beyond one
 * chunk.
 *
 * <p>The layer is verified ({@link LayerStream#finish}: blob digest, size, diff_id) before the
 * tar's end is produced; on a mismatch the read throws and the publisher aborts, so a corrupt layer
 * is never published. The blob is opened on the first read only: a publication that finds the layer
 * present downloads nothing. Whiteouts ({@code .wh.*}) are ordinary files here and are kept as they
 * are (thin-image.md §4.4).
 */
final class LayerPublicationTar extends InputStream {
  private static final int CHUNK = 256 * 1024;
  private static final long METADATA_MTIME_MILLIS = 0;

  /** Opens the layer; called once, on the first read. */
  interface Opener {
    LayerStream open() throws IOException;
  }

  /** Makes the metadata files once the layer has been read and verified. */
  interface MetadataMaker {
    Map<String, byte[]> make(LayerStream verified, long entries) throws IOException;
  }

  /** Told how far the layer is, now and then. */
  interface Progress {
    void advanced(long blobBytes);
  }

  private final String where; // names the layer in errors
  private final String prefix; // "" or "<hex>/" or "<h2>/<hex>/": where the layer dir is
  private final String layerfs; // prefix + "layerfs/"
  private final java.util.List<String> catalogDirs; // dirs above the layer that get a marker
  private final Opener opener;
  private final MetadataMaker metadata;
  private final Progress progress;
  private final Buffer buffer = new Buffer();
  private final TarArchiveOutputStream out;
  private final byte[] chunk = new byte[CHUNK];

  private LayerStream layer;
  private TarArchiveInputStream in;
  private TarArchiveEntry current;
  private long remaining;
  private long entries;
  private boolean done;

  /**
   * @param prefix where the layer directory is inside this tar: "" (the tar is the layer
   *     directory), {@code <hex>/} or {@code <h2>/<hex>/}
   * @param catalogDirs directories of the tar above the layer that become nested catalogs
   */
  LayerPublicationTar(
      String where,
      String prefix,
      java.util.List<String> catalogDirs,
      Opener opener,
      MetadataMaker metadata,
      Progress progress) {
    this.where = where;
    this.prefix = prefix;
    this.layerfs = prefix + "layerfs/";
    this.catalogDirs = java.util.List.copyOf(catalogDirs);
    this.opener = opener;
    this.metadata = metadata;
    this.progress = progress;
    this.out = new TarArchiveOutputStream(buffer, 512, StandardCharsets.UTF_8.name());
    out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    out.setAddPaxHeadersForNonAsciiNames(true);
  }

  /** Entries of the layer seen so far. */
  long entries() {
    return entries;
  }

  /** The layer stream, once opened (for its byte counts); else null. */
  LayerStream layer() {
    return layer;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (buffer.available() == 0) {
      if (done) {
        return -1;
      }
      try {
        step();
      } catch (LayerFormatException
          | io.cvmfsthin.thinimage.layer.DigestMismatchException
          | java.io.InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw m.contains(where) ? e : new IOException(where + ": " + m, e);
      }
    }
    return buffer.take(b, off, len);
  }

  private void step() throws IOException {
    if (in == null) {
      layer = opener.open();
      in = new TarArchiveInputStream(layer.tar(), StandardCharsets.UTF_8.name());
      dir("./");
      String[] parts = prefix.split("/");
      StringBuilder path = new StringBuilder();
      for (String part : parts) {
        if (!part.isEmpty()) {
          path.append(part).append('/');
          dir(path.toString());
        }
      }
      return;
    }
    if (current != null) {
      int n = in.read(chunk, 0, (int) Math.min(chunk.length, remaining));
      if (n < 0) {
        throw new LayerFormatException(
            "tar entry '" + current.getName() + "': the layer ends inside its data");
      }
      out.write(chunk, 0, n);
      remaining -= n;
      if (remaining == 0) {
        out.closeArchiveEntry();
        current = null;
      }
      progress.advanced(layer.blobBytes());
      return;
    }
    TarArchiveEntry next;
    try {
      next = in.getNextEntry();
    } catch (IllegalArgumentException e) {
      throw new LayerFormatException("unreadable tar in the layer: " + e.getMessage(), e);
    }
    if (next == null) {
      finish();
      return;
    }
    entries++;
    TarArchiveEntry copy = copyOf(next, layerfs);
    out.putArchiveEntry(copy);
    if (copy.getLinkFlag() == TarConstants.LF_NORMAL && copy.getSize() > 0) {
      current = copy;
      remaining = copy.getSize();
    } else {
      out.closeArchiveEntry();
    }
  }

  private void finish() throws IOException {
    layer.finish(); // throws on any mismatch: the tar never ends, the publish aborts
    progress.advanced(layer.blobBytes());
    file(layerfs + ".cvmfscatalog", new byte[0]);
    for (String d : catalogDirs) {
      file(d + ".cvmfscatalog", new byte[0]);
    }
    dir(prefix + ".metadata/");
    for (Map.Entry<String, byte[]> f : metadata.make(layer, entries).entrySet()) {
      file(prefix + ".metadata/" + f.getKey(), f.getValue());
    }
    out.finish();
    done = true;
  }

  private void dir(String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
    e.setMode(040755);
    e.setModTime(METADATA_MTIME_MILLIS);
    out.putArchiveEntry(e);
    out.closeArchiveEntry();
  }

  private void file(String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
    e.setMode(0100644);
    e.setModTime(METADATA_MTIME_MILLIS);
    e.setSize(content.length);
    out.putArchiveEntry(e);
    out.write(content);
    out.closeArchiveEntry();
  }

  /** The entry under {@code layerfs/}, with its metadata, device numbers and xattrs. */
  private static TarArchiveEntry copyOf(TarArchiveEntry src, String layerfs)
      throws LayerFormatException {
    String name = relative(src.getName(), src.getName());
    byte flag = src.getLinkFlag();
    boolean regular =
        flag == TarConstants.LF_NORMAL
            || flag == TarConstants.LF_OLDNORM
            || flag == TarConstants.LF_CONTIG;
    if (src.isSparse()) {
      throw new LayerFormatException(
          "tar entry '" + Names.shorten(src.getName()) + "': sparse files are not supported");
    }
    boolean known =
        regular
            || src.isDirectory()
            || src.isSymbolicLink()
            || src.isLink()
            || src.isCharacterDevice()
            || src.isBlockDevice()
            || src.isFIFO();
    if (!known) {
      throw new LayerFormatException(
          "tar entry '"
              + Names.shorten(src.getName())
              + "': unsupported entry type '"
              + (char) flag
              + "'");
    }
    if (regular) {
      flag = TarConstants.LF_NORMAL;
    }
    String prefixed = layerfs + name + (src.isDirectory() && !name.isEmpty() ? "/" : "");
    TarArchiveEntry e = new TarArchiveEntry(prefixed, flag, true);
    e.setMode(src.getMode());
    e.setUserId(src.getLongUserId());
    e.setGroupId(src.getLongGroupId());
    e.setUserName(src.getUserName());
    e.setGroupName(src.getGroupName());
    e.setModTime(src.getModTime());
    if (src.isLink()) {
      e.setLinkName(layerfs + relative(src.getLinkName(), src.getName()));
    } else if (src.isSymbolicLink()) {
      e.setLinkName(src.getLinkName());
    }
    if (src.isCharacterDevice() || src.isBlockDevice()) {
      e.setDevMajor(src.getDevMajor());
      e.setDevMinor(src.getDevMinor());
    }
    if (regular) {
      e.setSize(src.getSize());
    }
    List<String> keys = new ArrayList<>(src.getExtraPaxHeaders().keySet());
    for (String k : keys) {
      if (k.startsWith("SCHILY.xattr.") || k.startsWith("LIBARCHIVE.xattr.")) {
        e.addPaxHeader(k, src.getExtraPaxHeader(k));
      }
    }
    return e;
  }

  /**
   * A layer entry name made relative: leading {@code ./} and {@code /} trimmed, trailing {@code /}
   * dropped; {@code ..} refused (tar input is hostile).
   */
  static String relative(String name, String entry) throws LayerFormatException {
    if (name.startsWith("/")) {
      throw new LayerFormatException(
          "tar entry '"
              + Names.shorten(entry)
              + "': absolute path '"
              + Names.shorten(name)
              + "' refused");
    }
    List<String> parts = new ArrayList<>();
    for (String c : name.split("/")) {
      if (c.equals("..")) {
        throw new LayerFormatException(
            "tar entry '"
                + Names.shorten(entry)
                + "': '..' in '"
                + Names.shorten(name)
                + "' refused");
      }
      if (!c.isEmpty() && !c.equals(".")) {
        parts.add(c);
      }
    }
    return String.join("/", parts);
  }

  @Override
  public void close() throws IOException {
    if (layer != null) {
      layer.close();
    }
  }

  /** The tar writer's output, drained by {@link #read}. */
  private static final class Buffer extends ByteArrayOutputStream {
    private int pos;

    Buffer() {
      super(CHUNK + 64 * 1024);
    }

    int available() {
      return count - pos;
    }

    int take(byte[] b, int off, int len) {
      int n = Math.min(len, count - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      if (pos == count) {
        reset();
        pos = 0;
      }
      return n;
    }
  }
}
