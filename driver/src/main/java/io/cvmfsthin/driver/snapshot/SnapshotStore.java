package io.cvmfsthin.driver.snapshot;

import io.cvmfsthin.driver.RepositoryMounts;
import io.cvmfsthin.driver.ThinLayers;
import io.cvmfsthin.driver.archive.Trees;
import io.cvmfsthin.driver.layer.ThinRecord;
import io.cvmfsthin.thinimage.thin.CvmfsUrl;
import io.cvmfsthin.thinimage.thin.ThinDescriptorException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshotter's store under its root: {@code metadata.json} ({@link MetadataFile}) and {@code
 * snapshots/<id>/fs} and {@code work}, as containerd's overlayfs snapshotter lays them out. A
 * committed snapshot whose {@code fs} holds only a valid {@code thin.json} becomes a thin snapshot;
 * a Prepare for a layer that {@link RemoteLayers} finds in CVMFS becomes a remote snapshot. Both
 * stand in their children's lower dirs for CVMFS layer directories, acquired through {@link
 * RepositoryMounts} (one reference per repository per snapshot, taken on first use, released on
 * Remove and {@link #close}).
 *
 * <p>Thread-safe: the monitor guards {@link #entries}, {@link #nextId}, {@link #held} and the
 * metadata file; repositories are acquired outside it (a mount may go to the network).
 */
public final class SnapshotStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);

  private final Path root;
  private final Path snapshots;
  private final RepositoryMounts repositories;
  private final RemoteLayers remoteLayers;
  private final Clock clock;
  private final RandomGenerator random;
  private final boolean indexOff;
  // guarded by this: by name (key of active/view, name of committed)
  private final Map<String, MetadataFile.Entry> entries = new LinkedHashMap<>();
  private long nextId;
  // guarded by this: snapshot id -> repository roots this store holds a reference on for it
  private final Map<String, Map<String, Path>> held = new HashMap<>();

  private SnapshotStore(
      Path root,
      RepositoryMounts repositories,
      RemoteLayers remoteLayers,
      Clock clock,
      RandomGenerator random,
      boolean indexOff) {
    this.root = root;
    this.snapshots = root.resolve("snapshots");
    this.repositories = repositories;
    this.remoteLayers = remoteLayers;
    this.clock = clock;
    this.random = random;
    this.indexOff = indexOff;
  }

  /**
   * Opens (or creates) the store under {@code root} and reads its metadata.
   *
   * @param indexOff add {@code index=off} to overlay mounts, as containerd does where the kernel's
   *     overlay has the index feature ({@link
   *     io.cvmfsthin.driver.overlay.KernelFacts#overlayHasIndex})
   */
  public static SnapshotStore open(
      Path root,
      RepositoryMounts repositories,
      RemoteLayers remoteLayers,
      Clock clock,
      RandomGenerator random,
      boolean indexOff)
      throws IOException {
    Files.createDirectories(root.resolve("snapshots"));
    SnapshotStore store =
        new SnapshotStore(root, repositories, remoteLayers, clock, random, indexOff);
    MetadataFile.State state = MetadataFile.read(root);
    synchronized (store) {
      store.nextId = state.nextId();
      for (MetadataFile.Entry e : state.entries()) {
        store.entries.put(e.snapshot().name(), e);
      }
    }
    log.info("snapshot store {}: {} snapshots", root, state.entries().size());
    return store;
  }

  /** The store's root directory. */
  public Path root() {
    return root;
  }

  /**
   * containerd's Prepare: a new active snapshot {@code key} above the committed {@code parent} (or
   * none). With {@link Labels#TARGET_REF} and {@link Labels#LAYER_DIGEST} and a layer that {@link
   * RemoteLayers} finds, commits a remote snapshot under the target name instead and throws
   * ALREADY_EXISTS, as remote snapshotters answer (containerd then skips the download).
   */
  public List<SnapshotMount> prepare(String key, String parent, Map<String, String> labels)
      throws IOException {
    String target = labels.get(Labels.TARGET_REF);
    String digest = labels.get(Labels.LAYER_DIGEST);
    if (target != null && digest != null && remoteLayers != RemoteLayers.NONE) {
      if (prepareRemote(key, target, digest, parent, labels)) {
        throw new SnapshotException(
            SnapshotException.Reason.ALREADY_EXISTS,
            "target snapshot " + target + " (layer " + digest + "): already exists");
      }
    }
    return create(Kind.ACTIVE, key, parent, labels);
  }

  /** containerd's View: a read-only snapshot {@code key} of the committed {@code parent}. */
  public List<SnapshotMount> view(String key, String parent, Map<String, String> labels)
      throws IOException {
    return create(Kind.VIEW, key, parent, labels);
  }

  private List<SnapshotMount> create(
      Kind kind, String key, String parent, Map<String, String> labels) throws IOException {
    requireKey(key);
    Labels.validate(key, labels);
    Snapshot s;
    synchronized (this) {
      if (entries.containsKey(key)) {
        throw SnapshotException.alreadyExists(key);
      }
      requireCommittedParent(key, parent);
      String id = Long.toString(nextId++);
      Path dir = snapshots.resolve(id);
      Files.createDirectories(dir.resolve("fs"));
      if (kind == Kind.ACTIVE) {
        Files.createDirectories(dir.resolve("work"));
      }
      Instant now = clock.instant();
      s = new Snapshot(id, key, parent, kind, now, now, labels, List.of());
      entries.put(key, new MetadataFile.Entry(s, -1, -1));
      try {
        persist();
      } catch (IOException e) {
        entries.remove(key);
        Trees.deleteRecursively(dir);
        throw e;
      }
    }
    log.info("snapshot {} (id {}): {} above {}", key, s.id(), kind, parentText(parent));
    try {
      return mountsOf(s);
    } catch (IOException e) {
      // the parent's CVMFS layers could not be reached: undo, so a retry starts clean
      try {
        remove(key);
      } catch (IOException undo) {
        e.addSuppressed(undo);
      }
      throw e;
    }
  }

  /** The mounts of an active snapshot or view. */
  public List<SnapshotMount> mounts(String key) throws IOException {
    Snapshot s = stat(key);
    if (s.kind() == Kind.COMMITTED) {
      throw new SnapshotException(
          SnapshotException.Reason.FAILED_PRECONDITION,
          "snapshot " + key + ": committed, has no mounts (not active or view)");
    }
    return mountsOf(s);
  }

  private List<SnapshotMount> mountsOf(Snapshot s) throws IOException {
    Path dir = snapshots.resolve(s.id());
    return SnapshotMounts.of(
        s.kind(),
        dir.resolve("fs"),
        dir.resolve("work"),
        lowerDirs(s.name(), s.parent()),
        indexOff);
  }

  /**
   * containerd's Commit: the active snapshot {@code key} becomes the committed snapshot {@code
   * name}. If its {@code fs} holds a thin image's {@code thin.json} (the graph driver's rules and
   * validation), it becomes a thin snapshot.
   *
   * @throws SnapshotException INVALID_ARGUMENT for a thin.json the graph driver would refuse
   */
  public void commit(String name, String key, Map<String, String> labels) throws IOException {
    requireKey(name);
    Labels.validate(name, labels);
    Snapshot active = stat(key);
    if (active.kind() != Kind.ACTIVE) {
      throw new SnapshotException(
          SnapshotException.Reason.FAILED_PRECONDITION,
          "snapshot " + key + ": is " + kindText(active.kind()) + ", only an active one commits");
    }
    Path fs = snapshots.resolve(active.id()).resolve("fs");
    List<LayerLocation> layers = new ArrayList<>();
    try {
      Optional<ThinRecord> thin = ThinLayers.detect(name, fs, repositories, random);
      if (thin.isPresent()) {
        thin.get().layers().forEach(e -> layers.add(new LayerLocation(e.fqrn(), e.path())));
      }
    } catch (ThinDescriptorException e) {
      throw new SnapshotException(
          SnapshotException.Reason.INVALID_ARGUMENT, "snapshot " + key + ": " + e.getMessage(), e);
    }
    long[] usage = usageOf(fs);
    synchronized (this) {
      if (entries.containsKey(name)) {
        throw SnapshotException.alreadyExists(name);
      }
      MetadataFile.Entry current = entries.get(key);
      if (current == null || !current.snapshot().id().equals(active.id())) {
        throw SnapshotException.notFound(key);
      }
      Instant now = clock.instant();
      Snapshot committed =
          new Snapshot(
              active.id(), name, active.parent(), Kind.COMMITTED, now, now, labels, layers);
      entries.remove(key);
      entries.put(name, new MetadataFile.Entry(committed, usage[0], usage[1]));
      try {
        persist();
      } catch (IOException e) {
        entries.remove(name);
        entries.put(key, current);
        throw e;
      }
    }
    Trees.deleteRecursively(snapshots.resolve(active.id()).resolve("work"));
    log.info(
        "snapshot {} (id {}): committed as {}{}",
        key,
        active.id(),
        name,
        layers.isEmpty() ? "" : ", thin: " + layers.size() + " CVMFS layers");
  }

  /**
   * containerd's Remove. Forgets the metadata first, then deletes the directories (what fails to go
   * is left for {@link #cleanup}), then drops its repository references.
   *
   * @throws SnapshotException FAILED_PRECONDITION if a snapshot has it as parent
   */
  public void remove(String key) throws IOException {
    Snapshot s;
    Map<String, Path> roots;
    synchronized (this) {
      MetadataFile.Entry e = entries.get(key);
      if (e == null) {
        throw SnapshotException.notFound(key);
      }
      s = e.snapshot();
      for (MetadataFile.Entry other : entries.values()) {
        if (s.kind() == Kind.COMMITTED && other.snapshot().parent().equals(key)) {
          throw new SnapshotException(
              SnapshotException.Reason.FAILED_PRECONDITION,
              "snapshot " + key + ": has children (" + other.snapshot().name() + ")");
        }
      }
      entries.remove(key);
      try {
        persist();
      } catch (IOException ex) {
        entries.put(key, e);
        throw ex;
      }
      roots = held.remove(s.id());
    }
    try {
      Trees.deleteRecursively(snapshots.resolve(s.id()));
    } catch (IOException ex) {
      log.warn("snapshot {} (id {}): directory left for cleanup: {}", key, s.id(), ex.toString());
    }
    if (roots != null) {
      roots.keySet().forEach(repositories::release);
    }
    log.info("snapshot {} (id {}): removed", key, s.id());
  }

  /** containerd's Stat. */
  public synchronized Snapshot stat(String key) throws SnapshotException {
    MetadataFile.Entry e = entries.get(key);
    if (e == null) {
      throw SnapshotException.notFound(key);
    }
    return e.snapshot();
  }

  /**
   * containerd's Update: only labels change. No field path (or {@code labels}) replaces all labels;
   * {@code labels.<k>} sets or (when {@code labels} lacks it) deletes one.
   */
  public Snapshot update(String key, Map<String, String> labels, List<String> fieldPaths)
      throws IOException {
    synchronized (this) {
      Snapshot s = stat(key);
      Map<String, String> next = new HashMap<>(s.labels());
      if (fieldPaths.isEmpty()) {
        next = new HashMap<>(labels);
      }
      for (String path : fieldPaths) {
        if (path.equals("labels")) {
          next = new HashMap<>(labels);
        } else if (path.startsWith("labels.")) {
          String k = path.substring("labels.".length());
          if (labels.containsKey(k)) {
            next.put(k, labels.get(k));
          } else {
            next.remove(k);
          }
        } else {
          throw new SnapshotException(
              SnapshotException.Reason.INVALID_ARGUMENT,
              "snapshot " + key + ": cannot update field " + path + " (only labels)");
        }
      }
      Labels.validate(key, next);
      MetadataFile.Entry old = entries.get(key);
      Snapshot updated = s.withLabels(next, clock.instant());
      entries.put(key, new MetadataFile.Entry(updated, old.sizeBytes(), old.inodes()));
      try {
        persist();
      } catch (IOException e) {
        entries.put(key, old);
        throw e;
      }
      return updated;
    }
  }

  /** containerd's Walk/List: the snapshots matching any of {@code filters} (none: all). */
  public List<Snapshot> list(List<String> filters) throws SnapshotException {
    java.util.function.Predicate<Snapshot> match = Filters.parse(filters);
    synchronized (this) {
      return entries.values().stream().map(MetadataFile.Entry::snapshot).filter(match).toList();
    }
  }

  /**
   * containerd's Usage: bytes (apparent sizes of the non-directories) and inodes of the snapshot's
   * own {@code fs}, each inode once; cached for committed snapshots.
   */
  public Usage usage(String key) throws IOException {
    MetadataFile.Entry e;
    synchronized (this) {
      e = entries.get(key);
      if (e == null) {
        throw SnapshotException.notFound(key);
      }
    }
    if (e.snapshot().kind() == Kind.COMMITTED && e.sizeBytes() >= 0) {
      return new Usage(e.sizeBytes(), e.inodes());
    }
    long[] u = usageOf(snapshots.resolve(e.snapshot().id()).resolve("fs"));
    return new Usage(u[0], u[1]);
  }

  /** Bytes and inodes. */
  public record Usage(long sizeBytes, long inodes) {}

  /** containerd's Cleanup: deletes the directories under {@code snapshots/} no snapshot owns. */
  public void cleanup() throws IOException {
    Set<String> ids = new HashSet<>();
    synchronized (this) {
      entries.values().forEach(e -> ids.add(e.snapshot().id()));
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshots)) {
      for (Path dir : dirs) {
        if (!ids.contains(dir.getFileName().toString())) {
          Trees.deleteRecursively(dir);
          log.info("cleanup: removed {}", dir);
        }
      }
    }
  }

  /** Releases every repository reference the store holds. Snapshots stay on disk. */
  @Override
  public void close() {
    List<String> release = new ArrayList<>();
    synchronized (this) {
      held.values().forEach(m -> release.addAll(m.keySet()));
      held.clear();
    }
    release.forEach(repositories::release);
  }

  // ---- remote snapshots

  private boolean prepareRemote(
      String key, String target, String digest, String parent, Map<String, String> labels)
      throws IOException {
    requireKey(key);
    requireKey(target);
    Labels.validate(key, labels);
    synchronized (this) {
      if (entries.containsKey(target)) {
        return true;
      }
      if (entries.containsKey(key)) {
        throw SnapshotException.alreadyExists(key);
      }
      requireCommittedParent(key, parent);
    }
    Optional<CvmfsUrl> found;
    try {
      found = remoteLayers.find(digest);
    } catch (IOException e) {
      log.warn(
          "snapshot {}: looking up layer {} failed, downloading it: {}", key, digest, e.toString());
      return false;
    }
    if (found.isEmpty()) {
      log.debug("snapshot {}: layer {} not in CVMFS, downloading it", key, digest);
      return false;
    }
    LayerLocation layer = new LayerLocation(found.get().fqrn(), found.get().path());
    Map<String, String> remoteLabels = new HashMap<>(labels);
    remoteLabels.put(Labels.REMOTE, "true");
    remoteLabels.put(Labels.REMOTE_LOCATION, layer.url());
    Labels.validate(target, remoteLabels);
    Snapshot s;
    synchronized (this) {
      if (entries.containsKey(target)) {
        return true;
      }
      requireCommittedParent(key, parent);
      String id = Long.toString(nextId++);
      Path dir = snapshots.resolve(id);
      Files.createDirectories(dir.resolve("fs"));
      Instant now = clock.instant();
      s = new Snapshot(id, target, parent, Kind.COMMITTED, now, now, remoteLabels, List.of(layer));
      entries.put(target, new MetadataFile.Entry(s, 0, 1));
      try {
        persist();
      } catch (IOException e) {
        entries.remove(target);
        Trees.deleteRecursively(dir);
        throw e;
      }
    }
    try {
      cvmfsDirs(s); // the layer must be reachable now, or containerd should download it
    } catch (IOException e) {
      log.warn(
          "snapshot {}: remote layer {} unusable, downloading it: {}",
          target,
          layer.url(),
          e.toString());
      remove(target);
      return false;
    }
    log.info("snapshot {} (id {}): remote, layer {} at {}", target, s.id(), digest, layer.url());
    return true;
  }

  // ---- lower dirs

  /** The content directories of {@code parent} and its ancestors, newest first. */
  private List<Path> lowerDirs(String key, String parent) throws IOException {
    List<Snapshot> chain = new ArrayList<>();
    synchronized (this) {
      String p = parent;
      while (!p.isEmpty()) {
        MetadataFile.Entry e = entries.get(p);
        if (e == null) {
          throw new SnapshotException(
              SnapshotException.Reason.NOT_FOUND,
              "snapshot " + key + ": ancestor " + p + " not found");
        }
        chain.add(e.snapshot());
        p = e.snapshot().parent();
      }
    }
    List<Path> dirs = new ArrayList<>();
    for (Snapshot s : chain) {
      if (s.isCvmfs()) {
        dirs.addAll(cvmfsDirs(s));
      } else {
        dirs.add(snapshots.resolve(s.id()).resolve("fs"));
      }
    }
    return dirs;
  }

  /** The CVMFS layer directories of a thin or remote snapshot, its repositories acquired. */
  private List<Path> cvmfsDirs(Snapshot s) throws IOException {
    Map<String, Path> roots;
    synchronized (this) {
      roots = new HashMap<>(held.getOrDefault(s.id(), Map.of()));
    }
    for (LayerLocation layer : s.layers()) {
      if (roots.containsKey(layer.fqrn())) {
        continue;
      }
      Path r;
      try {
        r = repositories.acquire(layer.fqrn());
      } catch (IOException e) {
        throw new SnapshotException(
            SnapshotException.Reason.UNAVAILABLE,
            "snapshot " + s.name() + ": repository " + layer.fqrn() + ": " + e.getMessage(),
            e);
      }
      boolean keep;
      synchronized (this) {
        MetadataFile.Entry e = entries.get(s.name());
        keep = e != null && e.snapshot().id().equals(s.id());
        if (keep) {
          Map<String, Path> h = held.computeIfAbsent(s.id(), i -> new HashMap<>());
          keep = h.putIfAbsent(layer.fqrn(), r) == null;
        }
      }
      if (!keep) {
        repositories.release(layer.fqrn());
      }
      roots.put(layer.fqrn(), r);
    }
    List<Path> dirs = new ArrayList<>();
    for (LayerLocation layer : s.layers()) {
      Path dir = roots.get(layer.fqrn()).resolve(layer.path());
      if (!Files.isDirectory(dir)) {
        throw new SnapshotException(
            SnapshotException.Reason.NOT_FOUND,
            "snapshot "
                + s.name()
                + ": repository "
                + layer.fqrn()
                + " has no layer directory "
                + layer.path(),
            new NoSuchFileException(dir.toString()));
      }
      dirs.add(dir);
    }
    return dirs;
  }

  // ---- helpers

  private void requireCommittedParent(String key, String parent) throws SnapshotException {
    if (parent.isEmpty()) {
      return;
    }
    MetadataFile.Entry p = entries.get(parent);
    if (p == null) {
      throw new SnapshotException(
          SnapshotException.Reason.NOT_FOUND,
          "snapshot " + key + ": parent " + parent + " not found");
    }
    if (p.snapshot().kind() != Kind.COMMITTED) {
      throw new SnapshotException(
          SnapshotException.Reason.INVALID_ARGUMENT,
          "snapshot "
              + key
              + ": parent "
              + parent
              + " is "
              + kindText(p.snapshot().kind())
              + ", not committed");
    }
  }

  private static void requireKey(String key) throws SnapshotException {
    if (key == null || key.isEmpty()) {
      throw new SnapshotException(SnapshotException.Reason.INVALID_ARGUMENT, "empty snapshot key");
    }
  }

  private static String kindText(Kind kind) {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String parentText(String parent) {
    return parent.isEmpty() ? "no parent" : parent;
  }

  // guarded by this (callers hold the monitor)
  private void persist() throws IOException {
    MetadataFile.write(root, new MetadataFile.State(nextId, List.copyOf(entries.values())));
  }

  private static long[] usageOf(Path dir) throws IOException {
    Set<Object> seen = new HashSet<>();
    long[] total = {0, 0};
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            if (seen.add(attrs.fileKey())) {
              total[1]++;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (seen.add(attrs.fileKey())) {
              total[1]++;
              total[0] += attrs.size();
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return total;
  }
}
