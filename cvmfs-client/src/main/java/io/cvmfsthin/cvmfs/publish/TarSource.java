package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.cvmfs.tar.RawPaxHeaders;
import io.cvmfsthin.cvmfs.tar.TarFormatException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Edge: decodes a tar stream (plain or gzip) into {@link PublishEntry}s for {@link SourceTree},
 * which applies the rules for names, links and xattrs. Refuses sparse files and unsupported entry
 * types, naming the entry. Extended attributes come from PAX {@code SCHILY.xattr.*} (and {@code
 * LIBARCHIVE.xattr.*}) records, with exact bytes from {@link RawPaxHeaders}.
 */
final class TarSource implements EntryReader {
  private final TarArchiveInputStream tar;
  private final RawPaxHeaders pax;

  private TarSource(InputStream raw) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(raw, 64 * 1024);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    InputStream in =
        (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(buffered, 64 * 1024) : buffered;
    // commons-compress decodes PAX values as UTF-8; the raw records keep binary xattrs exact
    this.pax = new RawPaxHeaders(in);
    this.tar = new TarArchiveInputStream(pax, StandardCharsets.UTF_8.name());
  }

  /** Reads the whole stream; returns the tree's root directory (the tar's {@code ./}). */
  static SourceNode read(InputStream raw, ContentWriter writer, ContentTasks tasks, long now)
      throws IOException {
    return SourceTree.read(new TarSource(raw), writer, tasks, now);
  }

  @Override
  public PublishEntry next() throws IOException {
    TarArchiveEntry e;
    try {
      pax.startRecording();
      e = tar.getNextEntry();
      if (e == null) {
        return null;
      }
      return entry(e, pax.xattrs());
    } catch (TarFormatException bad) {
      throw bad;
    } catch (IllegalArgumentException bad) {
      throw new TarFormatException("unreadable tar stream: " + bad.getMessage(), bad);
    }
  }

  @Override
  public InputStream content() {
    return tar;
  }

  private static PublishEntry entry(TarArchiveEntry e, Map<String, byte[]> rawXattrs)
      throws TarFormatException {
    String name = e.getName();
    EntryKind kind;
    String link = null;
    boolean hardLink = false;
    long size = 0;
    if (e.isDirectory()) {
      kind = EntryKind.DIRECTORY;
    } else if (e.isSymbolicLink()) {
      kind = EntryKind.SYMLINK;
      link = e.getLinkName();
    } else if (e.isLink()) {
      kind = EntryKind.REGULAR;
      link = e.getLinkName();
      hardLink = true;
    } else if (e.isCharacterDevice() || e.isBlockDevice()) {
      kind = e.isCharacterDevice() ? EntryKind.CHAR_DEVICE : EntryKind.BLOCK_DEVICE;
    } else if (e.isFIFO()) {
      kind = EntryKind.FIFO;
    } else if (e.isSparse()) {
      throw new TarFormatException(
          "tar entry '" + SourceTree.shorten(name) + "': sparse files are not supported");
    } else if (e.isFile()) {
      kind = EntryKind.REGULAR;
      size = e.getSize();
    } else {
      throw new TarFormatException(
          "tar entry '" + SourceTree.shorten(name) + "': unsupported entry type");
    }
    boolean device = kind.isDevice();
    return new PublishEntry(
        name,
        kind,
        e.getMode() & 07777,
        e.getLongUserId(),
        e.getLongGroupId(),
        Math.floorDiv(e.getLastModifiedTime().toMillis(), 1000),
        size,
        device ? e.getDevMajor() : 0,
        device ? e.getDevMinor() : 0,
        link,
        hardLink,
        hardLink ? null : xattrs(name, e.getExtraPaxHeaders(), rawXattrs));
  }

  private static java.util.SortedMap<String, byte[]> xattrs(
      String name, Map<String, String> pax, Map<String, byte[]> raw) throws TarFormatException {
    java.util.SortedMap<String, byte[]> out = new java.util.TreeMap<>();
    for (Map.Entry<String, String> h : pax.entrySet()) {
      String key = h.getKey();
      byte[] value;
      String attr;
      if (key.startsWith("SCHILY.xattr.")) {
        attr = key.substring("SCHILY.xattr.".length());
        value =
            raw != null && raw.containsKey(attr)
                ? raw.get(attr)
                : h.getValue().getBytes(StandardCharsets.UTF_8);
      } else if (key.startsWith("LIBARCHIVE.xattr.")) {
        attr = key.substring("LIBARCHIVE.xattr.".length());
        try {
          value = Base64.getDecoder().decode(h.getValue());
        } catch (IllegalArgumentException e) {
          throw new TarFormatException(
              "tar entry '" + SourceTree.shorten(name) + "': xattr " + attr + " is not base64", e);
        }
      } else {
        continue;
      }
      out.put(attr, value);
    }
    return out;
  }
}
