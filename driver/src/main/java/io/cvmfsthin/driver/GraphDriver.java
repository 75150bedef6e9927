package io.cvmfsthin.driver;

import io.cvmfsthin.cvmfs.tar.TarFormatException;
import io.cvmfsthin.driver.archive.DiffReader;
import io.cvmfsthin.driver.archive.DirectorySize;
import io.cvmfsthin.driver.archive.OverlayChanges;
import io.cvmfsthin.driver.archive.PathChange;
import io.cvmfsthin.driver.archive.TarApplier;
import io.cvmfsthin.driver.archive.Trees;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.layer.LayerIds;
import io.cvmfsthin.driver.layer.LayerLocks;
import io.cvmfsthin.driver.layer.LowerChain;
import io.cvmfsthin.driver.layer.ThinRecord;
import io.cvmfsthin.driver.store.LayerStore;
import io.cvmfsthin.thinimage.thin.ThinDescriptorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An overlay2-compatible graph driver (docker-graphdriver-plugin.md §4, §10) that also stacks thin
 * layers from CernVM-FS (thin-image.md §5). One method per plugin endpoint; ids are dockerd's layer
 * ids, an empty or null parent means none. Calls for the same id are serialised, calls for
 * different ids run concurrently.
 *
 * <p>{@link #init} must come first. dockerd sends Init only once per daemon start, so the plugin
 * persists home and options and calls {@code init} again at process start: it is idempotent and
 * rebuilds mount counts from the store and {@code /proc/self/mountinfo}.
 */
public final class GraphDriver {
  private static final Logger log = LoggerFactory.getLogger(GraphDriver.class);
  private static final List<String> UNSUPPORTED_FS =
      List.of("overlay", "aufs", "btrfs", "zfs", "ecryptfs");

  private final Host host;
  private final RepositoryMounts repositories;
  private final CommitPublisher commitPublisher;
  private final Duration commitVisibleWithin;
  private final TarApplier applier;
  private final RandomGenerator random = new SecureRandom();
  private final LayerLocks locks = new LayerLocks();
  private volatile State state;

  private record State(
      Path home, LayerStore store, ThinLayers thin, LayerMounts mounts, ThinCommits commits) {}

  /**
   * A driver on {@code host}; {@code repositories} serves thin layers. With a {@code publisher}
   * other than {@link CommitPublisher#NONE}, containers committed above thin images become thin
   * layers (thin-image.md §6.3), each commit waiting up to {@code visibleWithin} for this host's
   * client to see what it published.
   */
  public GraphDriver(
      Host host, RepositoryMounts repositories, CommitPublisher publisher, Duration visibleWithin) {
    this.host = Objects.requireNonNull(host, "host");
    this.repositories = Objects.requireNonNull(repositories, "repositories");
    this.commitPublisher =
        Objects.requireNonNull(publisher, "publisher (CommitPublisher.NONE for none)");
    this.commitVisibleWithin = visibleWithin;
    this.applier =
        new TarApplier(host.xattrs(), host.deviceNodes(), host.fileMetadata(), host.symlinks());
  }

  /**
   * Init: makes {@code home}, checks the backing file system, recovers from a crash (partial layers
   * removed, mount counts rebuilt). Again with the same home: nothing more to do.
   *
   * @param options {@code --storage-opt} values; {@code overlay2.*} keys are overlay2's, others
   *     belong to the plugin and are ignored here
   */
  public synchronized void init(Path home, List<String> options) throws IOException {
    Path absolute = home.toAbsolutePath().normalize();
    for (String option : options == null ? List.<String>of() : options) {
      String key = option.split("=", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
      if (key.equals("overlay2.override_kernel_check")) {
        continue;
      }
      if (key.startsWith("overlay2.")) {
        throw new IllegalArgumentException(
            "overlay2: unknown or unsupported option " + option + " (no quota support)");
      }
    }
    if (state != null && state.home().equals(absolute)) {
      return;
    }
    if (state != null && !state.mounts().mountedIds().isEmpty()) {
      throw new IllegalStateException(
          "init with home " + absolute + " while layers under " + state.home() + " are mounted");
    }
    Files.createDirectories(absolute);
    String fsType = host.kernel().fileSystemType(absolute);
    if (UNSUPPORTED_FS.contains(fsType)) {
      throw new IOException(
          "home "
              + absolute
              + " is on "
              + fsType
              + ", which overlay2 does not support as backing file system");
    }
    if (!host.kernel().hasOverlay()) {
      throw new IOException("the kernel does not support overlay (not in /proc/filesystems)");
    }
    LayerStore store = new LayerStore(absolute, random);
    store.prepare();
    store.recover();
    ThinLayers thin = new ThinLayers(store, repositories, random);
    LayerMounts mounts =
        new LayerMounts(store, host.mounter(), thin, host.kernel().overlayHasIndex());
    mounts.recover();
    ThinCommits commits =
        new ThinCommits(
            store,
            repositories,
            commitPublisher,
            commitVisibleWithin,
            host.xattrs(),
            host.symlinks());
    state = new State(absolute, store, thin, mounts, commits);
    log.info("driver home {} ready ({} on {})", absolute, "overlay", fsType);
  }

  private State state() {
    State s = state;
    if (s == null) {
      throw new IllegalStateException("the driver has not been initialised (no Init)");
    }
    return s;
  }

  /** Create: a read-only image layer. */
  public void create(CreateRequest request) throws IOException {
    create(request, false);
  }

  /** CreateReadWrite: a container's init or read-write layer; same layout. */
  public void createReadWrite(CreateRequest request) throws IOException {
    create(request, true);
  }

  private void create(CreateRequest request, boolean readWrite) throws IOException {
    State s = state();
    String id = LayerIds.check(request.id());
    String parent = LayerIds.parentOrNull(request.parent());
    for (String key : request.storageOpt().keySet()) {
      if (key.equalsIgnoreCase("size")) {
        throw new IllegalArgumentException(
            "--storage-opt is supported only for overlay over xfs with 'pquota' mount option");
      }
      throw new IllegalArgumentException("overlay2: unknown option " + key);
    }
    try (LayerLocks.Held held = locks.lock(id)) {
      LowerChain lower = null;
      String thinParent = null;
      if (parent != null) {
        if (!s.store().exists(parent)) {
          throw new LayerNotFoundException(parent);
        }
        Optional<ThinRecord> parentThin = s.store().thin(parent);
        if (parentThin.isPresent()) {
          lower = LowerChain.child(id, parentThin.get().lowerDirs(), new LowerChain(List.of()));
          thinParent = parent;
        } else {
          lower =
              LowerChain.child(
                  id,
                  List.of("l/" + s.store().link(parent)),
                  s.store().lower(parent).orElse(new LowerChain(List.of())));
          thinParent = s.store().thinParent(parent).orElse(null);
        }
      }
      s.store().create(id, parent, lower, thinParent);
      if (parent != null) {
        s.store().markCommitted(parent);
      }
      log.info(
          "layer {}: created{} on {}",
          id,
          readWrite ? " read-write" : "",
          parent == null ? "-" : parent);
    }
  }

  /**
   * Remove: unmounts if still mounted, then forgets and deletes the layer; unknown ids are fine.
   */
  public void remove(String id) throws IOException {
    State s = state();
    LayerIds.check(id);
    try (LayerLocks.Held held = locks.lock(id)) {
      if (!s.store().exists(id)) {
        return;
      }
      Path merged = s.store().mergedDir(id);
      if (s.mounts().isMounted(id)
          || (Files.isDirectory(merged)
              && host.mounter().mountInfo().isMountPoint(merged.toRealPath()))) {
        s.mounts().unmount(id);
      }
      s.store().remove(id);
      log.info("layer {}: removed", id);
    }
  }

  /**
   * Get: the layer's root file system. The diff dir for a layer without parent and for a thin layer
   * itself; otherwise the overlay mounted on {@code <id>/merged} (counted; the first get mounts,
   * acquiring the repositories of a thin ancestor).
   */
  public Path get(String id, String mountLabel) throws IOException {
    State s = state();
    LayerIds.check(id);
    try (LayerLocks.Held held = locks.lock(id)) {
      if (!s.store().exists(id)) {
        throw new LayerNotFoundException(id);
      }
      return s.mounts().get(id, mountLabel);
    }
  }

  /** Put: drops a reference taken by {@link #get}; the last one unmounts. */
  public void put(String id) throws IOException {
    State s = state();
    LayerIds.check(id);
    try (LayerLocks.Held held = locks.lock(id)) {
      if (s.store().exists(id)) {
        s.mounts().put(id);
      }
    }
  }

  /** Exists: whether the layer directory exists. */
  public boolean exists(String id) {
    State s = state();
    try {
      return s.store().exists(LayerIds.check(id));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Status: overlay2's pairs, in its order. */
  public Map<String, String> status() throws IOException {
    State s = state();
    Map<String, String> status = new LinkedHashMap<>();
    status.put("Backing Filesystem", backingFilesystem(host.kernel().fileSystemType(s.home())));
    status.put("Supports d_type", "true");
    status.put("Native Overlay Diff", "true");
    status.put("userxattr", "false");
    return status;
  }

  private static String backingFilesystem(String type) {
    return switch (type) {
      case "ext2", "ext3", "ext4" -> "extfs";
      default -> type;
    };
  }

  /** GetMetadata: overlay2's UpperDir, WorkDir, MergedDir and (with lowers) LowerDir. */
  public Map<String, String> getMetadata(String id) throws IOException {
    State s = state();
    LayerIds.check(id);
    if (!s.store().exists(id)) {
      throw new LayerNotFoundException(id);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    Path dir = s.store().dir(id);
    metadata.put("MergedDir", dir.resolve("merged").toString());
    metadata.put("UpperDir", dir.resolve("diff").toString());
    metadata.put("WorkDir", dir.resolve("work").toString());
    List<Path> lowers = absoluteLowers(s, id);
    if (!lowers.isEmpty()) {
      metadata.put("LowerDir", String.join(":", lowers.stream().map(Path::toString).toList()));
    }
    return metadata;
  }

  /** The lower dirs of a layer as absolute paths (links resolved one level, as overlay2 does). */
  private static List<Path> absoluteLowers(State s, String id) throws IOException {
    List<Path> lowers = new ArrayList<>();
    for (String entry : s.store().lower(id).map(LowerChain::entries).orElse(List.of())) {
      Path link = s.home().resolve(entry);
      lowers.add(link.getParent().resolve(Files.readSymbolicLink(link)).normalize());
    }
    return lowers;
  }

  /** Cleanup: unmounts every layer this driver mounted; data stays. */
  public void cleanup() throws IOException {
    State s = state;
    if (s == null) {
      return;
    }
    IOException failure = null;
    for (String id : s.mounts().mountedIds()) {
      try (LayerLocks.Held held = locks.lock(id)) {
        s.mounts().unmount(id);
      } catch (IOException e) {
        log.warn("layer {}: unmount at cleanup failed", id, e);
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
    log.info("driver home {}: cleaned up", s.home());
  }

  /**
   * Diff: a tar stream of the layer's changes against {@code parent}, with AUFS whiteouts, produced
   * as it is read; the caller closes it. Against the direct parent this is the layer's own diff
   * dir; against anything else (or none, for a layer that has a parent) the two trees are mounted
   * and compared, as overlay2's naive diff does, until the stream is closed.
   *
   * <p>With a commit publisher, the diff of a layer above a thin image against its direct parent
   * (what dockerd asks when committing a container or a build step) is published and comes back as
   * the tar of an extended {@code thin.json} instead ({@link ThinCommits}).
   */
  public InputStream diff(String id, String parent) throws IOException {
    State s = state();
    if (isDirectParent(s, id, parent)) {
      Optional<String> thinId = s.commits().thinAncestor(id);
      if (thinId.isPresent()) {
        ThinCommits.Published published;
        try (LayerLocks.Held held = locks.lock(id)) {
          published = s.commits().commit(id, thinId.get());
        }
        return published.awaitVisible(); // up to PUBLISH_WAIT: not under the layer's lock
      }
      return new DiffReader(s.store().diffDir(id), host.xattrs(), host.symlinks());
    }
    NaiveComparison naive = naive(id, parent);
    try {
      return DiffReader.ofChanges(
          naive.newRoot(), naive.changes(), host.xattrs(), host.symlinks(), naive::close);
    } catch (IOException | RuntimeException e) {
      naive.close();
      throw e;
    }
  }

  private NaiveComparison naive(String id, String parent) throws IOException {
    NaiveComparison.Layers layers =
        new NaiveComparison.Layers() {
          @Override
          public Path get(String layer) throws IOException {
            return GraphDriver.this.get(layer, "");
          }

          @Override
          public void put(String layer) throws IOException {
            GraphDriver.this.put(layer);
          }
        };
    return NaiveComparison.open(layers, host.xattrs(), id, LayerIds.parentOrNull(parent));
  }

  /** Whether {@code parent} is the layer's direct parent (overlay2's isParent). */
  private static boolean isDirectParent(State s, String id, String parent) throws IOException {
    LayerIds.check(id);
    if (!s.store().exists(id)) {
      throw new LayerNotFoundException(id);
    }
    String wanted = LayerIds.parentOrNull(parent);
    if (wanted != null && !s.store().exists(wanted)) {
      throw new LayerNotFoundException(wanted);
    }
    return Objects.equals(wanted, s.store().parent(id).orElse(null));
  }

  /** Changes: overlay2's native changes over the lower chain, or naive ones (see diff). */
  public List<Change> changes(String id, String parent) throws IOException {
    State s = state();
    List<PathChange> changes;
    if (isDirectParent(s, id, parent)) {
      changes = nativeChanges(s, id);
    } else {
      try (NaiveComparison naive = naive(id, parent)) {
        changes = naive.changes();
      }
    }
    return changes.stream().map(c -> new Change(c.path(), c.kind().wire())).toList();
  }

  private List<PathChange> nativeChanges(State s, String id) throws IOException {
    List<String> repos = List.of();
    try (LayerLocks.Held held = locks.lock(id)) {
      try {
        Optional<String> thinParent = s.store().thinParent(id);
        if (thinParent.isPresent() && s.store().thin(id).isEmpty()) {
          repos = s.thin().acquire(id, thinParent.get());
        }
        return new OverlayChanges(host.xattrs())
            .changes(absoluteLowers(s, id), s.store().diffDir(id));
      } finally {
        s.thin().release(repos);
      }
    }
  }

  /**
   * DiffSize: against the direct parent, the size of the layer's own content (non-directories, each
   * inode once); otherwise the size of the added and modified non-directories.
   */
  public long diffSize(String id, String parent) throws IOException {
    State s = state();
    if (isDirectParent(s, id, parent)) {
      return DirectorySize.of(s.store().diffDir(id));
    }
    try (NaiveComparison naive = naive(id, parent)) {
      return naive.changedSize();
    }
  }

  /**
   * ApplyDiff: extracts the uncompressed layer tar into the layer (created by {@link #create},
   * still empty), converting whiteouts; a {@code thin.json} layer is validated and recorded. The
   * tar is extracted beside {@code diff} and moved into place only when complete, so a failed or
   * interrupted apply leaves the layer as it was. Reads the stream to its end.
   *
   * @return the layer's size in bytes
   * @throws TarFormatException for a malformed or hostile tar (the message names the entry)
   * @throws ThinDescriptorException for a bad {@code thin.json}
   */
  public long applyDiff(String id, String parent, InputStream tar) throws IOException {
    State s = state();
    LayerIds.check(id);
    try (LayerLocks.Held held = locks.lock(id)) {
      if (!s.store().exists(id)) {
        throw new LayerNotFoundException(id);
      }
      Path partial = s.store().newPartialDiff(id);
      Optional<ThinRecord> thin = Optional.empty();
      boolean done = false;
      try {
        try {
          applier.apply(tar, partial);
        } catch (TarFormatException e) {
          throw new TarFormatException("layer " + id + ": " + e.getMessage(), e);
        }
        tar.transferTo(OutputStream.nullOutputStream());
        thin = s.thin().detect(id, partial);
        if (thin.isPresent()) {
          s.store().recordThin(id, thin.get());
        }
        s.store().commitDiff(id, partial);
        done = true;
      } finally {
        if (!done) {
          Trees.deleteRecursively(partial);
          if (thin.isPresent()) {
            s.store().forgetThin(id, thin.get());
          }
        }
      }
      long size = DirectorySize.of(s.store().diffDir(id));
      log.info("layer {}: applied diff, {} bytes{}", id, size, thin.isPresent() ? ", thin" : "");
      return size;
    }
  }

  /** Capabilities: exact diffs are not promised. */
  public DriverCapabilities capabilities() {
    return new DriverCapabilities(false);
  }

  /** The home given at init, as used in returned paths. */
  public Path home() {
    return state().home();
  }
}
