package io.cvmfsthin.cvmfs.prefetch;

import io.cvmfsthin.cvmfs.catalog.Md5Path;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A prefetch list: the repository paths of the files a container of one thin image opened, in order
 * of first open, each once. Core: bytes in, values out.
 *
 * <p>The file format, version 1 (UTF-8 text, lines end with {@code '\n'}, a {@code '\r'} before it
 * is dropped):
 *
 * <pre>
 * # cvmfs-thin prefetch v1
 * /.layers/ab/ab12…/layerfs/usr/bin/python3
 * /.layers/ab/ab12…/layerfs/usr/lib/python3.11/os.py
 * </pre>
 *
 * <ul>
 *   <li>The first line is exactly {@value #HEADER}; anything else is not a prefetch list ({@link
 *       PrefetchListFormatException}).
 *   <li>Then one absolute repository path per line (as {@code cvmfs://<fqrn>/<path>} URLs name
 *       layer directories: {@code /<path>/<file in the layer>}), the order being the order of the
 *       first open. Empty lines and lines starting with {@code #} are skipped.
 *   <li>Reading is bounded so that any file costs bounded memory and time: at most {@value
 *       #MAX_ENTRIES} entries are taken and reading stops there; a line longer than {@value
 *       #MAX_LINE_BYTES} bytes, a line that is not a repository path (relative, {@code ..}, {@code
 *       //}, NUL) and a repeated path are skipped and counted; at most {@value #MAX_LINES} lines
 *       are looked at.
 * </ul>
 *
 * <p>Which repository a path belongs to follows from the image's layer directories ({@link
 * LayerDirs}); entries outside them are dropped when the list is used.
 *
 * <p>Where lists live: in the plugin's state as {@code <state>/prefetch/<chain key>} (this format),
 * and published in a repository at {@link #repositoryPath} {@code /.prefetch/<h2>/<chain
 * key>/list}, {@code <h2>} being the key's first two hex digits (as {@code .layers/<h2>/} spreads
 * layers), so a second host finds it by the key alone ({@link ChainKey}).
 *
 * @param paths repository paths, each once, in order of first open
 */
public record PrefetchList(List<String> paths) {
  /** The first line of every list. */
  public static final String HEADER = "# cvmfs-thin prefetch v1";

  /** Entries taken from one list; the rest is ignored. */
  public static final int MAX_ENTRIES = 100_000;

  /** Longest line taken, in bytes without the newline. */
  public static final int MAX_LINE_BYTES = 4096;

  /** Lines looked at in all (entries, skipped and repeated ones). */
  public static final int MAX_LINES = 4 * MAX_ENTRIES;

  /** The directory in a repository that holds published lists. */
  public static final String REPOSITORY_DIR = "/.prefetch";

  /** The name of the list file in its directory {@code /.prefetch/<h2>/<key>/}. */
  public static final String FILE_NAME = "list";

  public PrefetchList {
    paths = List.copyOf(paths);
  }

  /**
   * What {@link #read} took and what it left.
   *
   * @param list the entries taken
   * @param skippedLines lines that were too long, not a repository path, or a repeated path
   * @param truncated true if reading stopped at {@link #MAX_ENTRIES} or {@link #MAX_LINES}
   */
  public record Read(PrefetchList list, int skippedLines, boolean truncated) {}

  /**
   * Reads a list with the bounds above; the stream is read no further than the bounds.
   *
   * @param source where it comes from, for messages
   * @throws PrefetchListFormatException if the first line is not {@value #HEADER}
   */
  public static Read read(InputStream in, String source) throws IOException {
    LineReader lines = new LineReader(in);
    String first = lines.next();
    if (first == null || !first.equals(HEADER)) {
      throw new PrefetchListFormatException(
          source
              + ": not a prefetch list: first line is "
              + (first == null ? "missing" : "'" + shorten(first) + "'")
              + ", expected '"
              + HEADER
              + "'");
    }
    List<String> paths = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int skipped = 0;
    int looked = 0;
    String line;
    while ((line = lines.next()) != null) {
      if (paths.size() >= MAX_ENTRIES || ++looked > MAX_LINES) {
        return new Read(new PrefetchList(paths), skipped, true);
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line == LineReader.TOO_LONG || !isEntry(line) || !seen.add(line)) {
        skipped++;
        continue;
      }
      paths.add(line);
    }
    return new Read(new PrefetchList(paths), skipped, false);
  }

  /** Reads a whole list from bytes; see {@link #read(InputStream, String)}. */
  public static Read read(byte[] bytes, String source) throws IOException {
    return read(new java.io.ByteArrayInputStream(bytes), source);
  }

  /**
   * True if {@code path} can be an entry: an absolute repository path in normal form, at most
   * {@link #MAX_LINE_BYTES} bytes in UTF-8, without line breaks.
   */
  public static boolean isEntry(String path) {
    if (path.isEmpty() || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
      return false;
    }
    if (path.length() > MAX_LINE_BYTES
        || path.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_BYTES) {
      return false;
    }
    try {
      Md5Path.requireValid(path);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A list of the given paths in their order, each once; paths that cannot be entries are left out.
   */
  public static PrefetchList of(Collection<String> paths) {
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (String p : paths) {
      if (isEntry(p) && seen.add(p)) {
        out.add(p);
      }
    }
    return new PrefetchList(out);
  }

  /** Writes the list in the format above. */
  public void writeTo(OutputStream out) throws IOException {
    out.write((HEADER + "\n").getBytes(StandardCharsets.UTF_8));
    for (String p : paths) {
      if (!isEntry(p)) {
        throw new IllegalArgumentException("not a prefetch entry: '" + shorten(p) + "'");
      }
      out.write((p + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The list in the format above. */
  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + paths.size() * 64);
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new IllegalStateException("a byte array stream does not fail", e);
    }
    return out.toByteArray();
  }

  /** Where the list of {@code chainKey} is published in a repository. */
  public static String repositoryPath(String chainKey) {
    return repositoryDir(chainKey) + "/" + FILE_NAME;
  }

  /**
   * The directory of the list of {@code chainKey} in a repository: {@code /.prefetch/<h2>/<key>}.
   */
  public static String repositoryDir(String chainKey) {
    if (!ChainKey.isKey(chainKey)) {
      throw new IllegalArgumentException("not a chain key: '" + shorten(chainKey) + "'");
    }
    return REPOSITORY_DIR + "/" + chainKey.substring(0, 2) + "/" + chainKey;
  }

  private static String shorten(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /** Lines of at most MAX_LINE_BYTES bytes; a longer one is read to its end and reported once. */
  private static final class LineReader {
    static final String TOO_LONG = new String("<too long>"); // compared by identity

    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;
    private final byte[] line = new byte[MAX_LINE_BYTES];

    LineReader(InputStream in) {
      this.in = in;
    }

    /** The next line without its end, TOO_LONG, or null at the end of the stream. */
    String next() throws IOException {
      int n = 0;
      boolean tooLong = false;
      boolean any = false;
      while (true) {
        if (pos == end) {
          end = in.read(buf, 0, buf.length);
          pos = 0;
          if (end <= 0) {
            end = 0;
            if (!any) {
              return null;
            }
            break;
          }
        }
        any = true;
        byte b = buf[pos++];
        if (b == '\n') {
          break;
        }
        if (n < MAX_LINE_BYTES) {
          line[n++] = b;
        } else {
          tooLong = true;
        }
      }
      if (tooLong) {
        return TOO_LONG;
      }
      if (n > 0 && line[n - 1] == '\r') {
        n--;
      }
      return new String(line, 0, n, StandardCharsets.UTF_8);
    }
  }
}
