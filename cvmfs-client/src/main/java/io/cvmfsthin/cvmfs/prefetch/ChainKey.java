package io.cvmfsthin.cvmfs.prefetch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The key of a thin image's prefetch list: the sha256 (lower-case hex) of the image's real layers
 * as {@code cvmfs://<fqrn>/<path>} URLs, bottom layer first, joined by {@code '\n'} (no trailing
 * newline). Every tag of the same image has the same layers, so every tag finds the same list; an
 * image built on top of it has more layers and its own list. Paths are taken without leading or
 * trailing slashes, so {@code cvmfs://f/.layers/ab/x/layerfs} and {@code cvmfs://f//.layers/ab/x/
 * layerfs/} give one key. Core.
 */
public final class ChainKey {
  private static final Pattern FORM = Pattern.compile("[0-9a-f]{64}");

  private ChainKey() {}

  /** One real layer: its repository and the layer directory in it. */
  public record Layer(String fqrn, String path) {
    /** {@code cvmfs://<fqrn>/<path>}, the path without leading or trailing slashes. */
    public String url() {
      return "cvmfs://" + fqrn + "/" + strip(path);
    }

    /** The layer directory as a repository path, {@code /<path>}. */
    public String repositoryPath() {
      return "/" + strip(path);
    }

    private static String strip(String p) {
      return p.replaceAll("^/+", "").replaceAll("/+$", "");
    }
  }

  /**
   * The key of the chain.
   *
   * @param bottomFirst the real layers, bottom layer first
   */
  public static String of(List<Layer> bottomFirst) {
    StringBuilder text = new StringBuilder();
    for (Layer l : bottomFirst) {
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(l.url());
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** True if {@code text} has the form of a key (64 lower-case hex digits). */
  public static boolean isKey(String text) {
    return FORM.matcher(text).matches();
  }
}
