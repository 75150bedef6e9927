package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.cvmfs.tar.RawPaxHeaders;
import io.cvmfsthin.cvmfs.tar.TarHeaders;
import io.cvmfsthin.cvmfs.tar.TarPaths;
import io.cvmfsthin.thinimage.layer.LayerFormatException;
import io.cvmfsthin.thinimage.layer.LayerStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
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
 * are (thin-image.md §4.4). Headers are written by {@link TarHeaders}, so xattr values keep their
 * exact bytes ({@code security.capability} is binary), as read by {@link RawPaxHeaders}.
 */
final class LayerPublicationTar extends InputStream {
  private static final int CHUNK = 256 * 1024;
  private static final long METADATA_MTIME_SECONDS = 0;

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
  private final Buffer buffer = new Buffer(); // the tar being produced
  private final byte[] chunk = new byte[CHUNK];

  private LayerStream layer;
  private RawPaxHeaders pax; // under `in`: the exact bytes of each entry's xattrs
  private TarArchiveInputStream in;
  private TarArchiveEntry current; // a regular file whose data is being copied
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
      pax = new RawPaxHeaders(layer.tar());
      in = new TarArchiveInputStream(pax, StandardCharsets.UTF_8.name());
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
      buffer.write(chunk, 0, n);
      remaining -= n;
      if (remaining == 0) {
        buffer.writeBytes(new byte[TarHeaders.padding(current.getSize())]);
        current = null;
      }
      progress.advanced(layer.blobBytes());
      return;
    }
    TarArchiveEntry next;
    pax.startRecording();
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
    TarHeaders.Header copy = copyOf(next, layerfs, pax.xattrs());
    buffer.writeBytes(TarHeaders.encode(copy));
    if (copy.type() == TarHeaders.REGULAR && copy.size() > 0) {
      current = next;
      remaining = copy.size();
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
    buffer.writeBytes(new byte[TarHeaders.END]);
    done = true;
  }

  private void dir(String name) {
    buffer.writeBytes(
        TarHeaders.encode(
            new TarHeaders.Header(
                name,
                TarHeaders.DIRECTORY,
                0755,
                0,
                0,
                0,
                METADATA_MTIME_SECONDS,
                null,
                0,
                0,
                null)));
  }

  private void file(String name, byte[] content) {
    buffer.writeBytes(
        TarHeaders.encode(
            new TarHeaders.Header(
                name,
                TarHeaders.REGULAR,
                0644,
                0,
                0,
                content.length,
                METADATA_MTIME_SECONDS,
                null,
                0,
                0,
                null)));
    buffer.writeBytes(content);
    buffer.writeBytes(new byte[TarHeaders.padding(content.length)]);
  }

  /**
   * The entry under {@code layerfs/}, with its metadata, device numbers and xattrs; {@code
   * rawXattrs} are the exact values {@link RawPaxHeaders} found for it (null if none).
   */
  static TarHeaders.Header copyOf(
      TarArchiveEntry src, String layerfs, Map<String, byte[]> rawXattrs)
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
    String prefixed = layerfs + name + (src.isDirectory() && !name.isEmpty() ? "/" : "");
    byte type;
    String linkName = null;
    if (src.isDirectory()) {
      type = TarHeaders.DIRECTORY;
    } else if (regular) {
      type = TarHeaders.REGULAR;
    } else if (src.isSymbolicLink()) {
      type = TarHeaders.SYMLINK;
      linkName = src.getLinkName();
    } else if (src.isLink()) {
      type = TarHeaders.HARDLINK;
      linkName = layerfs + relative(src.getLinkName(), src.getName());
    } else if (src.isCharacterDevice()) {
      type = TarHeaders.CHAR;
    } else if (src.isBlockDevice()) {
      type = TarHeaders.BLOCKDEV;
    } else {
      type = TarHeaders.FIFO;
    }
    boolean device = src.isCharacterDevice() || src.isBlockDevice();
    Map<String, byte[]> xattrs = xattrs(src, rawXattrs);
    return new TarHeaders.Header(
        prefixed,
        type,
        src.getMode() & 07777,
        src.getLongUserId(),
        src.getLongGroupId(),
        type == TarHeaders.REGULAR ? src.getSize() : 0,
        Math.floorDiv(src.getLastModifiedTime().toMillis(), 1000),
        linkName,
        device ? src.getDevMajor() : 0,
        device ? src.getDevMinor() : 0,
        xattrs.isEmpty() ? null : xattrs);
  }

  /**
   * An entry's xattrs with exact values: the raw PAX bytes where there are some, else the text
   * Commons Compress decoded ({@code SCHILY.xattr.*} as UTF-8, {@code LIBARCHIVE.xattr.*} as base64
   * under a URL-encoded name).
   */
  private static Map<String, byte[]> xattrs(TarArchiveEntry src, Map<String, byte[]> raw)
      throws LayerFormatException {
    Map<String, byte[]> out = new TreeMap<>();
    for (Map.Entry<String, String> h : src.getExtraPaxHeaders().entrySet()) {
      String key = h.getKey();
      if (key.startsWith("SCHILY.xattr.")) {
        String name = key.substring("SCHILY.xattr.".length());
        byte[] exact = raw == null ? null : raw.get(name);
        out.put(name, exact != null ? exact : h.getValue().getBytes(StandardCharsets.UTF_8));
      } else if (key.startsWith("LIBARCHIVE.xattr.")) {
        String name =
            URLDecoder.decode(key.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
        byte[] exact = raw == null ? null : raw.get(name);
        if (exact == null) {
          try {
            exact = Base64.getDecoder().decode(h.getValue());
          } catch (IllegalArgumentException e) {
            throw new LayerFormatException(
                "tar entry '"
                    + Names.shorten(src.getName())
                    + "': xattr "
                    + Names.shorten(name)
                    + " is not base64",
                e);
          }
        }
        out.putIfAbsent(name, exact);
      }
    }
    return out;
  }

  /**
   * A layer entry name made relative, cleaned from the layer root as Docker's extraction cleans it
   * ({@link TarPaths}); a NUL is refused (tar input is hostile).
   */
  static String relative(String name, String entry) throws LayerFormatException {
    if (name.indexOf('\0') >= 0) {
      throw new LayerFormatException("tar entry '" + Names.shorten(entry) + "': NUL in the name");
    }
    return String.join("/", TarPaths.components(name));
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
