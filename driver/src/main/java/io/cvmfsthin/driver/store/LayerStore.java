package io.cvmfsthin.driver.store;

import io.cvmfsthin.driver.archive.Trees;
import io.cvmfsthin.driver.layer.LowerChain;
import io.cvmfsthin.driver.layer.ShortIds;
import io.cvmfsthin.driver.layer.ThinRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layer directories under the driver home, laid out as overlay2's (spec §10.1):
 *
 * <pre>
 * l/&lt;short&gt;            -&gt; ../&lt;id&gt;/diff  (0700 dir; thin layers: -&gt; a CVMFS layer dir)
 * &lt;id&gt;/link             the layer's short id, no newline
 * &lt;id&gt;/diff/            content (image layer) or upper dir (container layer), 0755
 * &lt;id&gt;/lower            "l/A:l/B:..." top first, only with a parent
 * &lt;id&gt;/work/            overlay work dir, only with a parent, 0700
 * &lt;id&gt;/merged/          mount point while mounted
 * &lt;id&gt;/committed        a child was created on this layer (mount it read-only)
 * </pre>
 *
 * plus the driver's own records: {@code <id>/parent} (the parent id), {@code <id>/thin-parent} (the
 * nearest thin ancestor, whose record describes the lower stack), {@code <id>/thin} ({@link
 * ThinRecord}, only on a thin layer) and {@code <id>/mounts} (the persisted mount count). Layers
 * are built under {@code .tmp-*} names and renamed into place; removal renames to {@code
 * .removing-*} first (the layer is forgotten at once), then deletes. {@link #recover()} finishes or
 * undoes whatever a crash interrupted.
 */
public final class LayerStore {
  private static final Logger log = LoggerFactory.getLogger(LayerStore.class);
  private static final String TMP = ".tmp-";
  private static final String REMOVING = ".removing-";
  private static final String PARTIAL = "diff.partial-";

  private final Path home;
  private final RandomGenerator random;

  /** The store under {@code home} (which must exist). */
  public LayerStore(Path home, RandomGenerator random) {
    this.home = home;
    this.random = random;
  }

  public Path home() {
    return home;
  }

  public Path dir(String id) {
    return home.resolve(id);
  }

  public Path diffDir(String id) {
    return dir(id).resolve("diff");
  }

  public Path mergedDir(String id) {
    return dir(id).resolve("merged");
  }

  public Path linksDir() {
    return home.resolve("l");
  }

  /** Whether the layer exists. */
  public boolean exists(String id) {
    return Files.isDirectory(dir(id), LinkOption.NOFOLLOW_LINKS);
  }

  /** Ids of all layers. */
  public List<String> ids() throws IOException {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(home)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (!name.startsWith(".")
            && !name.equals("l")
            && !name.equals("cvmfs")
            && Files.isRegularFile(p.resolve("link"), LinkOption.NOFOLLOW_LINKS)) {
          ids.add(name);
        }
      }
    }
    return ids;
  }

  /** Makes {@code l/} (0700) if missing. */
  public void prepare() throws IOException {
    Path links = linksDir();
    if (!Files.isDirectory(links)) {
      Files.createDirectories(links);
    }
    Files.setPosixFilePermissions(links, PosixFilePermissions.fromString("rwx------"));
  }

  /**
   * Creates a layer: built under a temporary name, renamed to {@code <id>}, then linked from {@code
   * l/}. On failure nothing is left.
   *
   * @param lower the lower chain, or null for a parentless layer
   */
  public void create(String id, String parent, LowerChain lower, String thinParent)
      throws IOException {
    Path target = dir(id);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString(), null, "layer " + id + " exists");
    }
    Path tmp = home.resolve(TMP + id + "-" + Long.toHexString(random.nextLong()));
    String shortId = ShortIds.random(random);
    try {
      Files.createDirectory(tmp);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x---"));
      Files.writeString(tmp.resolve("link"), shortId);
      Files.createDirectory(tmp.resolve("diff"));
      Files.setPosixFilePermissions(
          tmp.resolve("diff"), PosixFilePermissions.fromString("rwxr-xr-x"));
      if (parent != null) {
        Files.writeString(tmp.resolve("parent"), parent);
        Files.writeString(tmp.resolve("lower"), lower.format());
        Files.createDirectory(tmp.resolve("work"));
        Files.setPosixFilePermissions(
            tmp.resolve("work"), PosixFilePermissions.fromString("rwx------"));
      }
      if (thinParent != null) {
        Files.writeString(tmp.resolve("thin-parent"), thinParent);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Trees.deleteRecursively(tmp);
    }
    try {
      Files.createSymbolicLink(linksDir().resolve(shortId), Path.of("..", id, "diff"));
    } catch (IOException e) {
      Trees.deleteRecursively(target);
      throw e;
    }
  }

  /**
   * Forgets the layer at once (rename), then deletes its {@code l/} links and files. A missing
   * layer is not an error.
   */
  public void remove(String id) throws IOException {
    Path dir = dir(id);
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<String> links = new ArrayList<>();
    readText(id, "link").ifPresent(links::add);
    thin(id).ifPresent(t -> t.layers().forEach(e -> links.add(e.shortId())));
    Path doomed = home.resolve(REMOVING + id + "-" + Long.toHexString(random.nextLong()));
    Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
    for (String link : links) {
      if (ShortIds.isShortId(link)) {
        Files.deleteIfExists(linksDir().resolve(link));
      }
    }
    Trees.deleteRecursively(doomed);
  }

  /** The layer's short id. */
  public String link(String id) throws IOException {
    return readText(id, "link")
        .orElseThrow(() -> new NoSuchFileException(dir(id).resolve("link").toString()));
  }

  /** The lower chain, empty for a parentless layer. */
  public Optional<LowerChain> lower(String id) throws IOException {
    return readText(id, "lower").map(LowerChain::parse);
  }

  /** The parent id as given at create, empty for a parentless layer. */
  public Optional<String> parent(String id) throws IOException {
    return readText(id, "parent");
  }

  /** The nearest thin ancestor. */
  public Optional<String> thinParent(String id) throws IOException {
    return readText(id, "thin-parent");
  }

  /** The thin record, present only on a thin layer. */
  public Optional<ThinRecord> thin(String id) throws IOException {
    return readText(id, "thin").map(ThinRecord::parse);
  }

  /** Whether a child was created on the layer. */
  public boolean committed(String id) {
    return Files.exists(dir(id).resolve("committed"));
  }

  /** Marks that a child was created on the layer. */
  public void markCommitted(String id) throws IOException {
    Path marker = dir(id).resolve("committed");
    try {
      Files.createFile(marker);
    } catch (FileAlreadyExistsException e) {
      // children created concurrently on the same parent: marked once is enough
    }
  }

  /** The persisted mount count, 0 when none. */
  public int mounts(String id) throws IOException {
    return readText(id, "mounts").map(Integer::parseInt).orElse(0);
  }

  /** Persists the mount count (0 deletes the record). */
  public void setMounts(String id, int count) throws IOException {
    if (count == 0) {
      Files.deleteIfExists(dir(id).resolve("mounts"));
    } else {
      writeAtomically(dir(id).resolve("mounts"), Integer.toString(count));
    }
  }

  /**
   * A fresh empty file in home for scratch data (a layer tar being built); removed by {@link
   * #recover} if a crash leaves it behind.
   */
  public Path newTempFile(String purpose) throws IOException {
    return Files.createFile(
        home.resolve(TMP + purpose + "-" + Long.toHexString(random.nextLong())));
  }

  /** A fresh empty directory inside the layer to extract into; {@link #commitDiff} moves it. */
  public Path newPartialDiff(String id) throws IOException {
    Path tmp = dir(id).resolve(PARTIAL + Long.toHexString(random.nextLong()));
    Files.createDirectory(tmp);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    return tmp;
  }

  /**
   * Records a thin layer: creates its {@code l/} links (to {@code ../cvmfs/<fqrn>/<path>} until a
   * mount points them elsewhere) and writes {@code <id>/thin}. Undone by {@link #remove}.
   */
  public void recordThin(String id, ThinRecord record) throws IOException {
    for (ThinRecord.Entry e : record.layers()) {
      Files.createSymbolicLink(
          linksDir().resolve(e.shortId()), Path.of("..", "cvmfs", e.fqrn()).resolve(e.path()));
    }
    writeAtomically(dir(id).resolve("thin"), record.format());
  }

  /** Removes what {@link #recordThin} made (after a failed apply). */
  public void forgetThin(String id, ThinRecord record) throws IOException {
    Files.deleteIfExists(dir(id).resolve("thin"));
    for (ThinRecord.Entry e : record.layers()) {
      Files.deleteIfExists(linksDir().resolve(e.shortId()));
    }
  }

  /** Points a thin layer's link at {@code target} (atomically, only if it differs). */
  public void pointLink(String shortId, Path target) throws IOException {
    Path link = linksDir().resolve(shortId);
    if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) {
      return;
    }
    Path tmp = linksDir().resolve("." + shortId + "-" + Long.toHexString(random.nextLong()));
    Files.createSymbolicLink(tmp, target);
    try {
      Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Moves an extracted directory into place as the layer's {@code diff} (must be empty). */
  public void commitDiff(String id, Path partial) throws IOException {
    Files.move(partial, diffDir(id), StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Removes what a crash left: half-built layers, half-removed layers, partial extractions (and a
   * thin record written by an apply that never finished).
   */
  public void recover() throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(home)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (name.startsWith(TMP) || name.startsWith(REMOVING)) {
          log.warn("removing {} left by an interrupted create or remove", p);
          Trees.deleteRecursively(p);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          recoverLayer(p);
        }
      }
    }
  }

  private void recoverLayer(Path dir) throws IOException {
    boolean partial = false;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, PARTIAL + "*")) {
      for (Path p : s) {
        log.warn(
            "layer {}: removing {} left by an interrupted applyDiff",
            dir.getFileName(),
            p.getFileName());
        Trees.deleteRecursively(p);
        partial = true;
      }
    }
    String id = dir.getFileName().toString();
    if (partial && isEmptyDir(diffDir(id))) {
      Optional<ThinRecord> thin = thin(id);
      if (thin.isPresent()) {
        forgetThin(id, thin.get());
      }
    }
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    }
  }

  private Optional<String> readText(String id, String file) throws IOException {
    try {
      return Optional.of(Files.readString(dir(id).resolve(file), StandardCharsets.UTF_8).strip());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private void writeAtomically(Path target, String content) throws IOException {
    Path tmp =
        target.resolveSibling(
            "." + target.getFileName() + "-" + Long.toHexString(random.nextLong()));
    try {
      Files.writeString(tmp, content);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
