package io.cvmfsthin.plugin;

import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.fuse.OpenListener;
import io.cvmfsthin.cvmfs.prefetch.ChainKey;
import io.cvmfsthin.cvmfs.prefetch.ClientObjectFetch;
import io.cvmfsthin.cvmfs.prefetch.LayerDirs;
import io.cvmfsthin.cvmfs.prefetch.ObjectFetch;
import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.cvmfs.prefetch.PrefetchPublication;
import io.cvmfsthin.cvmfs.prefetch.PrefetchRecorder;
import io.cvmfsthin.cvmfs.prefetch.Prefetcher;
import io.cvmfsthin.plugin.metrics.PrefetchMetrics;
import io.cvmfsthin.plugin.metrics.PrefetchOutcomes;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recorded prefetch in the plugin (edge): one session per thin image (chain key) while containers
 * of it run.
 *
 * <ul>
 *   <li>The first container of an image looks for its list: {@code <state>/prefetch/<key>} first,
 *       else {@code /.prefetch/<h2>/<key>/list} in the image's repositories (then kept locally
 *       too). With a list, its files are fetched in list order, {@code parallel} at a time, in the
 *       background ({@link Prefetcher}).
 *   <li>Without one, the files the containers open below the image's layer directories are recorded
 *       ({@link PrefetchRecorder}) for {@code recordTime} or {@code recordFiles} files; then, or
 *       when the last container stopped, the list is saved atomically in the state directory and,
 *       with a publisher, published into the repository.
 *   <li>The last container's stop ends the session after a linger time ({@link #LINGER}) (dockerd
 *       mounts and unmounts a container's layers several times while it creates and starts it):
 *       replay is stopped (requests in flight finish), a recording is saved.
 * </ul>
 *
 * <p>Thread-safe: one lock guards the sessions map and each session's state; file and network work
 * runs on {@code control} (single thread, owned by the caller) or the fetch executor, never under
 * the lock. Nothing here ever blocks a driver call.
 */
final class ImagePrefetch implements OpenListener {
  private static final Logger log = LoggerFactory.getLogger(ImagePrefetch.class);

  /** How long a session outlives its last container, by default. */
  static final Duration LINGER = Duration.ofSeconds(5);

  /** What a session is doing. */
  private static final class Session {
    final String key;
    final LayerDirs dirs;
    final Set<String> layers = new HashSet<>();
    PrefetchRecorder recorder; // while recording
    Prefetcher prefetcher; // while replaying
    ScheduledFuture<?> linger; // the pending end after the last stop
    boolean ended;

    Session(String key, LayerDirs dirs) {
      this.key = key;
      this.dirs = dirs;
    }
  }

  private final PrefetchListStore lists;
  private final Function<String, Optional<RepositoryClient>> clients;
  private final Executor fetchExecutor;
  private final ScheduledExecutorService control;
  private final PrefetchListPublisher publisher;
  private final Clock clock;
  private final Duration recordTime;
  private final int recordFiles;
  private final int parallel;
  private final Duration linger;
  private final PrefetchMetrics metrics;
  private final Object lock = new Object(); // guards sessions, byLayer and every Session's fields
  private final Map<String, Session> sessions = new HashMap<>(); // by chain key
  private final Map<String, Session> byLayer = new HashMap<>(); // by layer id
  private final List<PrefetchRecorder> recording = new CopyOnWriteArrayList<>();

  /**
   * @param listDir {@code <state>/prefetch}
   * @param clients the client of a mounted repository
   * @param fetchExecutor where files are fetched (bounded, owned by the caller)
   * @param control where lists are looked up, saved and published (owned by the caller)
   * @param publisher where recorded lists are published; null for nowhere
   * @param linger how long a session outlives its last container ({@link #LINGER})
   * @param metrics where lists replayed and their files are reported ({@link PrefetchMetrics#NONE})
   */
  ImagePrefetch(
      Path listDir,
      Function<String, Optional<RepositoryClient>> clients,
      Executor fetchExecutor,
      ScheduledExecutorService control,
      PrefetchListPublisher publisher,
      Clock clock,
      Duration recordTime,
      int recordFiles,
      int parallel,
      Duration linger,
      PrefetchMetrics metrics) {
    this.metrics = metrics;
    this.lists = new PrefetchListStore(listDir);
    this.clients = clients;
    this.fetchExecutor = fetchExecutor;
    this.control = control;
    this.publisher = publisher;
    this.clock = clock;
    this.recordTime = recordTime;
    this.recordFiles = recordFiles;
    this.parallel = parallel;
    this.linger = linger;
  }

  /** The local list of {@code chainKey}. */
  Path listFile(String chainKey) {
    return lists.file(chainKey);
  }

  void started(String layerId, String key, List<ChainKey.Layer> bottomFirst) {
    Session s;
    synchronized (lock) {
      s = sessions.get(key);
      if (s != null) {
        s.layers.add(layerId);
        byLayer.put(layerId, s);
        if (s.linger != null) {
          s.linger.cancel(false);
          s.linger = null;
        }
        return;
      }
      s = new Session(key, new LayerDirs(bottomFirst));
      s.layers.add(layerId);
      sessions.put(key, s);
      byLayer.put(layerId, s);
      if (!lists.exists(key)) {
        // record from the first open on; a published list found meanwhile replaces the recording
        s.recorder = new PrefetchRecorder(s.dirs, recordFiles, recordTime, clock);
        recording.add(s.recorder);
      }
    }
    Session session = s;
    String repos = String.join(",", s.dirs.repositories());
    if (s.recorder != null) {
      log.info(
          "prefetch: recording for layer {} chain {} ({}): up to {} files in {} s",
          layerId,
          key,
          repos,
          recordFiles,
          recordTime.toSeconds());
      control.schedule(
          () -> finishRecording(session), recordTime.toMillis(), TimeUnit.MILLISECONDS);
    }
    control.execute(() -> findList(session, layerId));
  }

  void stopped(String layerId) {
    synchronized (lock) {
      Session s = byLayer.remove(layerId);
      if (s == null) {
        return;
      }
      s.layers.remove(layerId);
      if (s.layers.isEmpty() && !s.ended) {
        s.linger = control.schedule(() -> end(s), linger.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  @Override
  public void opened(String fqrn, String path) {
    for (PrefetchRecorder r : recording) {
      if (!r.opened(fqrn, path) && r.size() > 0 && r.isComplete()) {
        recording.remove(r);
        Session s = sessionOf(r);
        if (s != null) {
          control.execute(() -> finishRecording(s));
        }
      }
    }
  }

  private Session sessionOf(PrefetchRecorder r) {
    synchronized (lock) {
      for (Session s : sessions.values()) {
        if (s.recorder == r) {
          return s;
        }
      }
      return null;
    }
  }

  /** On control: the local list, else a published one; replays it if found. */
  private void findList(Session s, String layerId) {
    PrefetchList list = null;
    String from = null;
    try {
      list = read(lists.read(s.key));
      from = lists.file(s.key).toString();
    } catch (NoSuchFileException e) {
      // not recorded here
    } catch (IOException e) {
      log.warn("prefetch: chain {}: local list unreadable: {}", s.key, e.getMessage());
    }
    if (list == null) {
      for (String fqrn : s.dirs.repositories()) {
        Optional<RepositoryClient> c = clients.apply(fqrn);
        if (c.isEmpty()) {
          continue;
        }
        try {
          list = read(PrefetchPublication.read(c.get(), s.key));
          from = fqrn + ":" + PrefetchList.repositoryPath(s.key);
          lists.save(s.key, list);
          break;
        } catch (NoSuchFileException e) {
          log.debug("prefetch: chain {}: no list published in {}", s.key, fqrn);
        } catch (IOException e) {
          log.warn(
              "prefetch: chain {}: published list in {} unusable: {}", s.key, fqrn, e.getMessage());
        }
      }
    }
    if (list == null) {
      return; // recording goes on
    }
    Prefetcher p;
    synchronized (lock) {
      if (s.ended) {
        return;
      }
      if (s.recorder != null) {
        recording.remove(s.recorder);
        s.recorder.close();
        s.recorder = null;
        log.info("prefetch: chain {}: list found at {}, recording dropped", s.key, from);
      }
      p = new Prefetcher(Prefetcher.plan(list, s.dirs), fetch(s.dirs), parallel);
      s.prefetcher = p;
    }
    log.info(
        "prefetch: start for layer {} chain {} ({}): {} files of {} listed in {}, {} in flight",
        layerId,
        s.key,
        String.join(",", s.dirs.repositories()),
        p.counts().listed(),
        list.paths().size(),
        from,
        parallel);
    metrics.listStarted();
    p.start();
    p.done()
        .thenAccept(
            c -> {
              metrics.listEnded(c.notStarted() > 0);
              log.info(
                  "prefetch: {} for layer {} chain {} ({}): {} of {} fetched, {} missing, {}"
                      + " failed, {} not started",
                  c.notStarted() > 0 ? "stopped" : "done",
                  layerId,
                  s.key,
                  String.join(",", s.dirs.repositories()),
                  c.fetched(),
                  c.listed(),
                  c.missing(),
                  c.failed(),
                  c.notStarted());
            });
  }

  private static PrefetchList read(PrefetchList.Read r) {
    if (r.truncated() || r.skippedLines() > 0) {
      log.warn(
          "prefetch list: {} entries taken, {} lines skipped{}",
          r.list().paths().size(),
          r.skippedLines(),
          r.truncated() ? ", the rest ignored (limit " + PrefetchList.MAX_ENTRIES + ")" : "");
    }
    return r.list();
  }

  private ObjectFetch fetch(LayerDirs dirs) {
    Map<String, ObjectFetch> byRepo = new HashMap<>();
    for (String fqrn : dirs.repositories()) {
      clients.apply(fqrn).ifPresent(c -> byRepo.put(fqrn, new ClientObjectFetch(c, fetchExecutor)));
    }
    ObjectFetch all = ObjectFetch.byRepository(byRepo);
    return (fqrn, path) -> {
      CompletableFuture<?> f = all.fetchFile(fqrn, path);
      f.whenComplete((v, e) -> metrics.fileEnded(fqrn, PrefetchOutcomes.of(e)));
      return f;
    };
  }

  /** On control: the last container stopped LINGER ago. */
  private void end(Session s) {
    Prefetcher p;
    synchronized (lock) {
      if (!s.layers.isEmpty() || s.ended) {
        return;
      }
      s.ended = true;
      sessions.remove(s.key);
      p = s.prefetcher;
    }
    if (p != null) {
      p.stop();
    }
    finishRecording(s);
  }

  /** On control: ends a recording (time or count reached, or its last container stopped). */
  private void finishRecording(Session s) {
    PrefetchRecorder r;
    synchronized (lock) {
      r = s.recorder;
      s.recorder = null;
    }
    if (r == null) {
      return;
    }
    r.close();
    recording.remove(r);
    PrefetchList list = r.list();
    if (list.paths().isEmpty()) {
      log.info("prefetch: chain {}: nothing opened, no list saved", s.key);
      return;
    }
    try {
      lists.save(s.key, list);
      log.info(
          "prefetch: recorded {} files for chain {} in {}",
          list.paths().size(),
          s.key,
          listFile(s.key));
    } catch (IOException e) {
      log.warn("prefetch: chain {}: saving the list failed: {}", s.key, e.toString());
      return;
    }
    if (publisher != null) {
      Optional<String> target = publisher.fqrn();
      if (target.isPresent() && !s.dirs.repositories().contains(target.get())) {
        log.info(
            "prefetch: chain {}: not published: its layers are not in {}", s.key, target.get());
        return;
      }
      try {
        publisher.publish(s.key, list);
        log.info(
            "prefetch: list of chain {} published at {}",
            s.key,
            PrefetchList.repositoryPath(s.key));
      } catch (IOException | RuntimeException e) {
        log.warn("prefetch: chain {}: publishing the list failed: {}", s.key, e.toString());
      }
    }
  }

  /** Stops every replay and saves every recording (plugin shutdown); call before unmounting. */
  void close() {
    List<Session> all;
    synchronized (lock) {
      all = List.copyOf(sessions.values());
      all.forEach(s -> s.layers.clear());
    }
    for (Session s : all) {
      end(s);
    }
  }
}
