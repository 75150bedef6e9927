package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.config.ConfigFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference-counted FUSE mounts of CernVM-FS repositories under one base directory: what the graph
 * driver's {@code RepositoryMounts} needs (the plugin adapts it).
 *
 * <pre>{@code
 * try (MountedRepositories repos =
 *     new MountedRepositories(
 *         home.resolve("cvmfs"),
 *         MountedRepositories.configResolver(Path.of("/etc/cvmfs"), home.resolve("cvmfs-cache")),
 *         MountOptions.LAYER_VIEW)) {
 *   Path root = repos.acquire("unpacked.example.org"); // mounts <base>/unpacked.example.org
 *   Path lower = root.resolve(".layers/ab/ab12.../layerfs"); // cvmfs://fqrn/<path> -> lower dir
 *   ...
 *   repos.release("unpacked.example.org"); // the last release unmounts
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #acquire} mounts {@code <base>/<fqrn>} on first use (a stale mount left there by a
 *       dead process is detached first) and counts users; it returns the mount point, under which
 *       {@code <path>} of a {@code cvmfs://<fqrn>/<path>} URL is the layer directory. With {@link
 *       MountOptions#LAYER_VIEW} layer directories show OCI whiteouts the way overlayfs reads them.
 *   <li>{@link #release} drops one user; the last one unmounts (lazily if an overlay still uses
 *       it), at once or, with a linger time, when that time passed without a new acquire. An
 *       unmount the kernel refuses leaves the repository mounted and usable; the next last release
 *       or {@link #close} tries again.
 *   <li>A mount that went away from outside (someone ran {@code umount}) is mounted again by the
 *       next {@link #acquire}.
 *   <li>{@link #close} unmounts everything, whatever the counts.
 * </ul>
 *
 * <p>Thread-safe. One lock per repository guards its count and mount; it is never held while a
 * repository is mounted or refreshed (network I/O): concurrent acquires of one repository share one
 * mount in progress (one future), acquires of other repositories never wait for it, and no FUSE
 * call ever takes it. Unmounts happen under it, so a new mount never races an old one on the same
 * mount point. The caller owns this object.
 */
public final class MountedRepositories implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MountedRepositories.class);

  /** Where the settings of a repository come from. */
  public interface SettingsResolver {
    /** True if {@code fqrn} can be mounted (it has at least a server URL). */
    boolean isConfigured(String fqrn);

    /** The settings to mount {@code fqrn} with. */
    ClientSettings settings(String fqrn) throws IOException;

    /**
     * The FUSE transport of {@code fqrn} ({@code CVMFS_FUSE_TRANSPORT}), or null (or {@link
     * FuseTransport#AUTO}, the setting unset) to keep the one of the mount options.
     */
    default FuseTransport transport(String fqrn) throws IOException {
      return null;
    }
  }

  /** Mounts one repository; {@link RepositoryMount#mount} in production. */
  @FunctionalInterface
  interface Mounter {
    RepositoryMount mount(ClientSettings settings, Path mountPoint, MountOptions options)
        throws IOException;
  }

  /** One repository's state; {@link #lock} guards users, mount, pending and unmountFailure. */
  private static final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    int users;
    RepositoryMount mount;
    IOException unmountFailure; // the last unmount the kernel refused; the mount is still there
    // the mount in progress, made outside the lock; every acquire meanwhile waits for this one
    CompletableFuture<RepositoryMount> pending;
    long releases; // bumped by every release, so a lingering unmount knows if it is still due
  }

  private final Path base;
  private final SettingsResolver resolver;
  private final MountOptions options;
  private final Mounter mounter;
  private final Duration linger;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final ScheduledExecutorService unmounter;
  private volatile boolean closed;
  private volatile OpenListener openListener = OpenListener.NONE; // given to every mount

  /**
   * @param base directory of the mount points, {@code <base>/<fqrn>}
   * @param resolver the settings of each repository
   * @param options how every repository is mounted ({@link MountOptions#LAYER_VIEW} for a driver)
   */
  public MountedRepositories(Path base, SettingsResolver resolver, MountOptions options) {
    this(base, resolver, options, Duration.ZERO);
  }

  /**
   * As {@link #MountedRepositories(Path, SettingsResolver, MountOptions)}, keeping a repository
   * mounted for {@code linger} after its last release, so that the next acquire within that time
   * reuses the mount (dockerd gets and puts a container's layers several times while it creates and
   * starts one: without this, each time costs a mount, a manifest fetch and a catalog load).
   */
  public MountedRepositories(
      Path base, SettingsResolver resolver, MountOptions options, Duration linger) {
    this(base, resolver, options, RepositoryMount::mount, linger);
  }

  MountedRepositories(Path base, SettingsResolver resolver, MountOptions options, Mounter mounter) {
    this(base, resolver, options, mounter, Duration.ZERO);
  }

  MountedRepositories(
      Path base,
      SettingsResolver resolver,
      MountOptions options,
      Mounter mounter,
      Duration linger) {
    this.base = base.toAbsolutePath().normalize();
    this.resolver = resolver;
    this.options = options;
    this.mounter = mounter;
    this.linger = linger;
    this.unmounter =
        linger.isZero()
            ? null
            : Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "cvmfs-linger");
                  t.setDaemon(true);
                  return t;
                });
  }

  /**
   * Settings from a CVMFS configuration directory ({@code /etc/cvmfs}: {@code default.conf}, {@code
   * default.local}, {@code domain.d}, {@code config.d}); a repository is configured if it has a
   * {@code CVMFS_SERVER_URL}. Without {@code CVMFS_CACHE_DIR}/{@code CVMFS_CACHE_BASE} the cache is
   * {@code <cacheBase>/<fqrn>}.
   */
  public static SettingsResolver configResolver(Path configRoot, Path cacheBase) {
    return new SettingsResolver() {
      @Override
      public boolean isConfigured(String fqrn) {
        try {
          String url = ConfigFiles.load(configRoot, fqrn).get("CVMFS_SERVER_URL");
          return url != null && !url.isBlank();
        } catch (IOException | IllegalArgumentException e) {
          log.warn(
              "CVMFS configuration for {} in {} unreadable: {}", fqrn, configRoot, e.toString());
          return false;
        }
      }

      @Override
      public FuseTransport transport(String fqrn) throws IOException {
        return FuseTransport.parse(ConfigFiles.load(configRoot, fqrn).get(FuseTransport.SETTING));
      }

      @Override
      public ClientSettings settings(String fqrn) throws IOException {
        Map<String, String> config = ConfigFiles.load(configRoot, fqrn);
        ClientSettings.Builder b = ClientSettings.fromConfig(fqrn, config);
        if (!config.containsKey("CVMFS_CACHE_DIR") && !config.containsKey("CVMFS_CACHE_BASE")) {
          b.cacheDir(cacheBase.resolve(fqrn));
        }
        return b.build();
      }
    };
  }

  public boolean isConfigured(String fqrn) {
    return resolver.isConfigured(fqrn);
  }

  /** The mount point of {@code fqrn}, whether mounted or not. */
  public Path mountPoint(String fqrn) {
    return base.resolve(fqrn);
  }

  /**
   * Mounts {@code fqrn} if it is not mounted yet and counts one more user.
   *
   * @return the mount point, {@code <base>/<fqrn>}
   * @throws IOException if it cannot be mounted (not configured, trust chain, FUSE); not counted
   */
  public Path acquire(String fqrn) throws IOException {
    Slot s = slots.computeIfAbsent(fqrn, k -> new Slot());
    while (true) {
      CompletableFuture<RepositoryMount> mounting;
      boolean mine = false;
      s.lock.lock();
      try {
        if (closed) {
          throw new IllegalStateException("repository mounts are closed");
        }
        if (s.mount != null && !s.mount.isMounted()) {
          log.warn("{} was unmounted from outside; mounting it again", s.mount.mountPoint());
          s.mount = null;
        }
        if (s.mount != null) {
          s.users++;
          log.debug("acquire {}: {} users", fqrn, s.users);
          return s.mount.mountPoint();
        }
        if (s.pending == null) {
          s.pending = new CompletableFuture<>();
          mine = true;
        }
        mounting = s.pending;
      } finally {
        s.lock.unlock();
      }
      if (mine) {
        mount(fqrn, s, mounting);
      }
      await(fqrn, mounting); // then count this user on the next turn, under the lock
    }
  }

  /** Mounts outside the lock (FUSE start, manifest and catalog fetch), then publishes the mount. */
  private void mount(String fqrn, Slot s, CompletableFuture<RepositoryMount> mounting) {
    RepositoryMount m = null;
    Throwable failure = null;
    try {
      if (!resolver.isConfigured(fqrn)) {
        throw new java.nio.file.NoSuchFileException(
            fqrn, null, "repository not configured (no CVMFS_SERVER_URL)");
      }
      FuseTransport t = resolver.transport(fqrn);
      m =
          mounter.mount(
              resolver.settings(fqrn),
              mountPoint(fqrn),
              t == null ? options : options.withTransport(t));
      m.openListener(openListener);
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
    s.lock.lock();
    try {
      s.pending = null;
      if (m != null && closed) {
        m.close();
        failure = new IllegalStateException("repository mounts are closed");
      } else if (m != null) {
        s.mount = m;
      }
    } finally {
      s.lock.unlock();
    }
    if (failure != null) {
      mounting.completeExceptionally(failure);
    } else {
      mounting.complete(m);
    }
  }

  private static void await(String fqrn, CompletableFuture<RepositoryMount> mounting)
      throws IOException {
    try {
      mounting.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("waiting for the mount of " + fqrn);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("mounting " + fqrn + " failed", e.getCause());
    }
  }

  /**
   * Drops one user of {@code fqrn}; the last one unmounts. Unknown names are logged, not thrown.
   */
  public void release(String fqrn) {
    Slot s = slots.get(fqrn);
    if (s == null) {
      log.warn("release {}: not acquired", fqrn);
      return;
    }
    s.lock.lock();
    try {
      if (s.users == 0) {
        log.warn("release {}: not acquired", fqrn);
        return;
      }
      s.users--;
      s.releases++;
      log.debug("release {}: {} users", fqrn, s.users);
      if (s.users == 0 && s.mount != null) {
        if (unmounter == null) {
          unmount(fqrn, s);
        } else {
          long release = s.releases;
          unmounter.schedule(
              () -> unmountIfUnused(fqrn, s, release), linger.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } finally {
      s.lock.unlock();
    }
  }

  /** The lingering unmount: only if nobody acquired (and released) it since that release. */
  private void unmountIfUnused(String fqrn, Slot s, long release) {
    s.lock.lock();
    try {
      if (s.users == 0 && s.releases == release && s.mount != null) {
        log.debug("{}: unused for {} ms, unmounting", fqrn, linger.toMillis());
        unmount(fqrn, s);
      }
    } finally {
      s.lock.unlock();
    }
  }

  /**
   * Under {@code s.lock}: unmounts. If the kernel refuses, the slot keeps the mount (still mounted
   * and served, so the next acquire reuses it) and the failure; the next last release, or {@link
   * #close}, tries again.
   */
  private void unmount(String fqrn, Slot s) {
    try {
      s.mount.unmount();
      s.mount = null;
      s.unmountFailure = null;
    } catch (IOException e) {
      s.unmountFailure = e;
      log.warn("{}: {}; it stays mounted until the next release or close", fqrn, e.getMessage());
    }
  }

  /** Why the last unmount of {@code fqrn} failed, while it is still mounted because of it. */
  Optional<IOException> unmountFailure(String fqrn) {
    Slot s = slots.get(fqrn);
    if (s == null) {
      return Optional.empty();
    }
    s.lock.lock();
    try {
      return Optional.ofNullable(s.unmountFailure);
    } finally {
      s.lock.unlock();
    }
  }

  /**
   * Checks the server for a newer revision of a mounted repository now, as {@code cvmfs_talk
   * remount sync} does, instead of at the end of the TTL.
   *
   * @return the revision current afterwards, or -1 if {@code fqrn} is not mounted
   */
  public long refreshNow(String fqrn) throws IOException {
    Slot s = slots.get(fqrn);
    if (s == null) {
      return -1;
    }
    RepositoryMount m;
    s.lock.lock();
    try {
      m = s.mount;
    } finally {
      s.lock.unlock();
    }
    if (m == null) {
      return -1;
    }
    m.client().refreshNow(); // network I/O: outside the lock, so acquires and releases go on
    return m.client().revision();
  }

  /** Tells {@code listener} of every open of a regular file, in every mount, now and later. */
  public void openListener(OpenListener listener) {
    this.openListener = listener;
    for (Slot s : slots.values()) {
      s.lock.lock();
      try {
        if (s.mount != null) {
          s.mount.openListener(listener);
        }
      } finally {
        s.lock.unlock();
      }
    }
  }

  /** The client of {@code fqrn} if it is mounted now (recorded prefetch fetches through it). */
  public java.util.Optional<io.cvmfsthin.cvmfs.client.RepositoryClient> client(String fqrn) {
    Slot s = slots.get(fqrn);
    if (s == null) {
      return java.util.Optional.empty();
    }
    s.lock.lock();
    try {
      return s.mount == null ? java.util.Optional.empty() : java.util.Optional.of(s.mount.client());
    } finally {
      s.lock.unlock();
    }
  }

  /** The number of users of {@code fqrn} now. */
  public int users(String fqrn) {
    Slot s = slots.get(fqrn);
    if (s == null) {
      return 0;
    }
    s.lock.lock();
    try {
      return s.users;
    } finally {
      s.lock.unlock();
    }
  }

  /** The counters of a mounted repository (as its root's {@code user.counters} xattr). */
  public String counters(String fqrn) {
    Slot s = slots.get(fqrn);
    if (s == null) {
      return "";
    }
    s.lock.lock();
    try {
      return s.mount == null ? "" : s.mount.counters();
    } finally {
      s.lock.unlock();
    }
  }

  /**
   * Unmounts every repository, whatever its count; one the kernel refuses to unmount is logged as
   * an error naming its mount point (it stays mounted).
   */
  @Override
  public void close() {
    closed = true;
    if (unmounter != null) {
      unmounter.shutdownNow();
    }
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      Slot s = e.getValue();
      s.lock.lock();
      try {
        if (s.mount != null) {
          unmount(e.getKey(), s);
        }
        if (s.unmountFailure != null) {
          log.error("{} stays mounted at close: {}", e.getKey(), s.unmountFailure.getMessage());
        }
        s.users = 0;
      } finally {
        s.lock.unlock();
      }
    }
  }
}
