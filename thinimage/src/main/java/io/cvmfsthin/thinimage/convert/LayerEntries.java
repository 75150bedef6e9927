package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.publish.EntryReader;
import io.cvmfsthin.cvmfs.publish.PublishEntry;
import io.cvmfsthin.cvmfs.tar.RawPaxHeaders;
import io.cvmfsthin.cvmfs.tar.TarHeaders;
import io.cvmfsthin.thinimage.layer.DigestMismatchException;
import io.cvmfsthin.thinimage.layer.LayerFormatException;
import io.cvmfsthin.thinimage.layer.LayerStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The entries the publisher reads for one layer, straight from the one decoding pass of the layer
 * (no tar is encoded for the publisher to decode again): the same entries, in the same order, as
 * {@link LayerPublicationTar} writes into its tar, so both publish the same repository. The layer's
 * entries come under {@code layerfs/} (hard-link targets too), then a {@code layerfs/.cvmfscatalog}
 * marker, then {@code .metadata/} files; all below a prefix when the publication starts higher up.
 * A regular file's content is read by the publisher directly from the decompressing stream.
 *
 * <p>The layer is verified ({@link LayerStream#finish}: blob digest, size, diff_id) before the last
 * entries are handed out; on a mismatch {@link #next} throws and the publisher aborts, so a corrupt
 * layer is never published. The blob is opened on the first {@link #next} only. Errors name the
 * layer. One publication, one thread; owns the layer stream (close it).
 */
final class LayerEntries implements EntryReader, AutoCloseable {
  private static final long METADATA_MTIME_SECONDS = 0;

  private final String where; // names the layer in errors
  private final String prefix; // "" or "<hex>/" or "<h2>/<hex>/": where the layer dir is
  private final String layerfs; // prefix + "layerfs/"
  private final List<String> catalogDirs; // dirs above the layer that get a marker
  private final LayerPublicationTar.Opener opener;
  private final LayerPublicationTar.MetadataMaker metadata;
  private final LayerPublicationTar.Progress progress;
  private final ArrayDeque<Pending> queued = new ArrayDeque<>(); // made-up entries to hand out

  private LayerStream layer;
  private RawPaxHeaders pax; // under `in`: the exact bytes of each entry's xattrs
  private TarArchiveInputStream in;
  private InputStream content = InputStream.nullInputStream();
  private long entries;
  private boolean verified;

  private record Pending(PublishEntry entry, byte[] content) {}

  LayerEntries(
      String where,
      String prefix,
      List<String> catalogDirs,
      LayerPublicationTar.Opener opener,
      LayerPublicationTar.MetadataMaker metadata,
      LayerPublicationTar.Progress progress) {
    this.where = where;
    this.prefix = prefix;
    this.layerfs = prefix + "layerfs/";
    this.catalogDirs = List.copyOf(catalogDirs);
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
  public PublishEntry next() throws IOException {
    try {
      return step();
    } catch (IOException e) {
      throw named(e);
    }
  }

  @Override
  public InputStream content() {
    return content;
  }

  private PublishEntry step() throws IOException {
    if (in == null) {
      layer = opener.open();
      pax = new RawPaxHeaders(layer.tar());
      in = new TarArchiveInputStream(pax, StandardCharsets.UTF_8.name());
      dir("./");
      StringBuilder path = new StringBuilder();
      for (String part : prefix.split("/")) {
        if (!part.isEmpty()) {
          path.append(part).append('/');
          dir(path.toString());
        }
      }
    }
    if (queued.isEmpty() && !verified) {
      progress.advanced(layer.blobBytes());
      TarArchiveEntry next;
      pax.startRecording();
      try {
        next = in.getNextEntry();
      } catch (IllegalArgumentException e) {
        throw new LayerFormatException("unreadable tar in the layer: " + e.getMessage(), e);
      }
      if (next == null) {
        finish();
      } else {
        entries++;
        PublishEntry entry =
            entryOf(LayerPublicationTar.copyOf(next, layerfs, pax.xattrs()), next.getName());
        content = entry.hasContent() ? new LayerContent(in) : InputStream.nullInputStream();
        return entry;
      }
    }
    Pending p = queued.poll();
    if (p == null) {
      content = InputStream.nullInputStream();
      return null;
    }
    content = new ByteArrayInputStream(p.content());
    return p.entry();
  }

  private void finish() throws IOException {
    layer.finish(); // throws on any mismatch: the entries never end, the publish aborts
    verified = true;
    progress.advanced(layer.blobBytes());
    file(layerfs + ".cvmfscatalog", new byte[0]);
    for (String d : catalogDirs) {
      file(d + ".cvmfscatalog", new byte[0]);
    }
    dir(prefix + ".metadata/");
    for (Map.Entry<String, byte[]> f : metadata.make(layer, entries).entrySet()) {
      file(prefix + ".metadata/" + f.getKey(), f.getValue());
    }
  }

  private void dir(String name) {
    queued.add(
        new Pending(PublishEntry.directory(name, 0755, 0, 0, METADATA_MTIME_SECONDS), new byte[0]));
  }

  private void file(String name, byte[] bytes) {
    queued.add(
        new Pending(
            PublishEntry.file(name, 0644, 0, 0, METADATA_MTIME_SECONDS, bytes.length), bytes));
  }

  /**
   * The entry a header of {@link LayerPublicationTar} describes, as the publisher would read it.
   */
  private static PublishEntry entryOf(TarHeaders.Header h, String source)
      throws LayerFormatException {
    EntryKind kind;
    switch (h.type()) {
      case TarHeaders.DIRECTORY -> kind = EntryKind.DIRECTORY;
      case TarHeaders.REGULAR, TarHeaders.HARDLINK -> kind = EntryKind.REGULAR;
      case TarHeaders.SYMLINK -> kind = EntryKind.SYMLINK;
      case TarHeaders.CHAR -> kind = EntryKind.CHAR_DEVICE;
      case TarHeaders.BLOCKDEV -> kind = EntryKind.BLOCK_DEVICE;
      case TarHeaders.FIFO -> kind = EntryKind.FIFO;
      default ->
          throw new LayerFormatException(
              "tar entry '" + Names.shorten(source) + "': unsupported entry type");
    }
    boolean hardLink = h.type() == TarHeaders.HARDLINK;
    return new PublishEntry(
        h.name(),
        kind,
        h.mode(),
        h.uid(),
        h.gid(),
        h.mtimeSeconds(),
        h.type() == TarHeaders.REGULAR ? h.size() : 0,
        h.devMajor(),
        h.devMinor(),
        h.linkName(),
        hardLink,
        h.xattrs() == null || hardLink ? new TreeMap<>() : new TreeMap<>(h.xattrs()));
  }

  /** Adds the layer's name to a failure that does not name it yet. */
  private IOException named(IOException e) {
    if (e instanceof LayerFormatException
        || e instanceof DigestMismatchException
        || e instanceof InterruptedIOException) {
      return e;
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.contains(where) ? e : new IOException(where + ": " + m, e);
  }

  /**
   * A regular file's bytes, read by the publisher from the layer; failures name the layer, and each
   * read tells the progress listener.
   */
  private final class LayerContent extends FilterInputStream {
    LayerContent(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw named(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = super.read(b, off, len);
      } catch (IOException e) {
        throw named(e);
      }
      progress.advanced(layer.blobBytes());
      return n;
    }

    @Override
    public void close() {
      // the layer stream outlives each file
    }
  }

  @Override
  public void close() throws IOException {
    if (layer != null) {
      layer.close();
    }
  }
}
