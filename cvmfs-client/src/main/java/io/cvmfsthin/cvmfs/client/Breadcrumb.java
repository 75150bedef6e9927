package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.manifest.Manifest;
import io.cvmfsthin.cvmfs.object.ContentHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last manifest accepted for a repository, kept in the cache directory as {@code
 * cvmfschecksum.<fqrn>} in the stock client's form {@code <root hash>T<published>R<revision>} (spec
 * §10.1). A later manifest published before it is refused, across restarts too.
 */
record Breadcrumb(ContentHash rootCatalog, long publishedEpochSeconds, long revision) {
  private static final Pattern FORM = Pattern.compile("([0-9a-z-]+)T(\\d+)R(\\d+)\\s*");

  static Breadcrumb of(Manifest m) {
    return new Breadcrumb(m.rootCatalog(), m.publishedEpochSeconds(), m.revision());
  }

  static Path file(Path cacheDir, String fqrn) {
    return cacheDir.resolve("cvmfschecksum." + fqrn);
  }

  /** Parses the file's text; empty if it is not a breadcrumb. */
  static Optional<Breadcrumb> parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Breadcrumb(
              ContentHash.parse(m.group(1)),
              Long.parseLong(m.group(2)),
              Long.parseLong(m.group(3))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  String format() {
    return rootCatalog + "T" + publishedEpochSeconds + "R" + revision;
  }

  static Optional<Breadcrumb> read(Path file) throws IOException {
    try {
      return parse(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Writes under a temporary name and renames, so a crash leaves the old or the new one. */
  void write(Path file) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), ".cvmfschecksum-", "");
    try {
      Files.writeString(tmp, format(), StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
