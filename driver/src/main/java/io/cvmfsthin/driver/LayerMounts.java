package io.cvmfsthin.driver;

import io.cvmfsthin.cvmfs.linux.MountInfo;
import io.cvmfsthin.driver.layer.LowerChain;
import io.cvmfsthin.driver.overlay.Mounter;
import io.cvmfsthin.driver.overlay.OverlayMount;
import io.cvmfsthin.driver.store.LayerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference-counted overlay mounts per layer (spec §4.5, §4.6, §10.2): the first get mounts (after
 * acquiring the repositories of a thin ancestor), the last put unmounts (lazily, then releases
 * them). Counts are persisted in the store and rebuilt at start from the store and the mount table.
 * Callers hold the layer's lock.
 */
final class LayerMounts {
  private static final Logger log = LoggerFactory.getLogger(LayerMounts.class);

  private final LayerStore store;
  private final Mounter mounter;
  private final ThinLayers thin;
  private final boolean indexOff;
  // guarded by the lock of each key's layer id: mount count and repositories held per layer
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private final Map<String, List<String>> heldRepositories = new ConcurrentHashMap<>();

  LayerMounts(LayerStore store, Mounter mounter, ThinLayers thin, boolean indexOff) {
    this.store = store;
    this.mounter = mounter;
    this.thin = thin;
    this.indexOff = indexOff;
  }

  /**
   * Whether get returns the diff dir without mounting: no parent, a thin layer itself, or an empty
   * lower chain (a layer right above a thin layer without real layers, "thin scratch").
   */
  boolean unmounted(String id) throws IOException {
    return store.lower(id).map(l -> l.entries().isEmpty()).orElse(true)
        || store.thin(id).isPresent();
  }

  Path get(String id, String mountLabel) throws IOException {
    if (unmounted(id)) {
      return store.diffDir(id);
    }
    Path merged = store.mergedDir(id);
    int count = counts.getOrDefault(id, 0);
    if (count > 0) {
      setCount(id, count + 1);
      return merged;
    }
    List<String> repos = List.of();
    boolean mounted = false;
    try {
      Optional<String> thinParent = store.thinParent(id);
      if (thinParent.isPresent()) {
        repos = thin.acquire(id, thinParent.get());
      }
      Files.createDirectories(merged);
      mounter.mount(overlay(id, mountLabel));
      mounted = true;
      setCount(id, 1);
      if (!repos.isEmpty()) {
        heldRepositories.put(id, repos);
        thin.started(id, thinParent.get());
      }
      log.info("layer {}: mounted on {}", id, merged);
      return merged;
    } finally {
      if (!mounted) {
        thin.release(repos);
        Files.deleteIfExists(merged);
      }
    }
  }

  private OverlayMount overlay(String id, String mountLabel) throws IOException {
    LowerChain lower = store.lower(id).orElseThrow();
    String label = mountLabel == null || mountLabel.isEmpty() ? null : mountLabel;
    if (store.committed(id)) {
      List<String> lowers = new ArrayList<>();
      lowers.add("l/" + store.link(id));
      lowers.addAll(lower.entries());
      return new OverlayMount(
          store.home(), lowers, null, null, store.mergedDir(id), indexOff, label);
    }
    return new OverlayMount(
        store.home(),
        lower.entries(),
        id + "/diff",
        id + "/work",
        store.mergedDir(id),
        indexOff,
        label);
  }

  void put(String id) throws IOException {
    if (unmounted(id)) {
      return;
    }
    int count = counts.getOrDefault(id, 0);
    if (count == 0) {
      Path merged = store.mergedDir(id);
      if (!Files.isDirectory(merged) || !mounter.mountInfo().isMountPoint(merged.toRealPath())) {
        log.debug("layer {}: put without a mount, nothing to do", id);
        return;
      }
      count = 1; // mounted before this process knew it
    }
    if (count > 1) {
      setCount(id, count - 1);
      return;
    }
    unmount(id);
  }

  /** Unmounts regardless of the count (remove, cleanup). */
  void unmount(String id) throws IOException {
    Path merged = store.mergedDir(id);
    if (Files.isDirectory(merged)) {
      mounter.unmount(merged);
      Files.deleteIfExists(merged);
      log.info("layer {}: unmounted {}", id, merged);
    }
    counts.remove(id);
    store.setMounts(id, 0);
    List<String> repos = heldRepositories.remove(id);
    if (repos != null) {
      thin.stopped(id);
      thin.release(repos);
    }
  }

  boolean isMounted(String id) {
    return counts.getOrDefault(id, 0) > 0;
  }

  List<String> mountedIds() {
    return List.copyOf(counts.keySet());
  }

  private void setCount(String id, int count) throws IOException {
    counts.put(id, count);
    store.setMounts(id, count);
  }

  /**
   * Rebuilds counts after a process restart: a layer mounted per the mount table keeps its
   * persisted count (1 if none was persisted) and re-acquires its thin ancestor's repositories; a
   * persisted count without a mount is dropped.
   */
  void recover() throws IOException {
    MountInfo table = mounter.mountInfo();
    for (String id : store.ids()) {
      Path merged = store.mergedDir(id);
      boolean mounted = Files.isDirectory(merged) && table.isMountPoint(merged.toRealPath());
      int persisted = store.mounts(id);
      if (!mounted) {
        if (persisted > 0 || Files.isDirectory(merged)) {
          log.warn("layer {}: recorded {} mounts but not mounted; count reset", id, persisted);
          store.setMounts(id, 0);
          Files.deleteIfExists(merged);
        }
        continue;
      }
      int count = Math.max(1, persisted);
      counts.put(id, count);
      store.setMounts(id, count);
      Optional<String> thinParent = store.thinParent(id);
      if (thinParent.isPresent()) {
        try {
          heldRepositories.put(id, thin.acquire(id, thinParent.get()));
        } catch (IOException e) {
          log.warn("layer {}: mounted, but its repositories could not be re-acquired", id, e);
        }
      }
      log.info("layer {}: recovered mount on {} with count {}", id, merged, count);
    }
  }
}
