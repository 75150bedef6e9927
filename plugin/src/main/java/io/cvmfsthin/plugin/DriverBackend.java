package io.cvmfsthin.plugin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.driver.CreateRequest;
import io.cvmfsthin.driver.GraphDriver;
import io.cvmfsthin.plugin.protocol.GraphDriverBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layer store as the plugin protocol sees it. dockerd sends Init once per daemon start and
 * never after a plugin restart (spec §4.1, §7.5), so Init's arguments are persisted in {@code
 * <state>/init.json} and replayed at process start. Calls that arrive before start-up finished wait
 * for it instead of failing (§3.1).
 */
final class DriverBackend implements GraphDriverBackend {
  private static final Logger log = LoggerFactory.getLogger(DriverBackend.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long READY_WAIT_SECONDS = 120;

  private final Path initFile;
  private final CountDownLatch ready = new CountDownLatch(1);
  // set once by start(), before ready opens; read only after awaitReady()
  private volatile GraphDriver driver;

  /** A backend whose driver comes later: the socket is bound before the driver is built. */
  DriverBackend(Path stateDir) {
    this.initFile = stateDir.resolve("init.json");
  }

  /**
   * Takes the driver, replays a persisted Init, if any, then lets requests through. Called once at
   * start.
   */
  void start(GraphDriver graphDriver) {
    this.driver = graphDriver;
    try {
      if (Files.exists(initFile)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> saved = JSON.readValue(initFile.toFile(), Map.class);
        Path home = Path.of((String) saved.get("home"));
        @SuppressWarnings("unchecked")
        List<String> options = (List<String>) saved.getOrDefault("options", List.of());
        driver.init(home, options);
        log.info("restored driver state for home {} from {}", home, initFile);
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "cannot restore the driver from {}; waiting for a new Init: {}",
          initFile,
          e.getMessage());
    } finally {
      ready.countDown();
    }
  }

  private void awaitReady() throws IOException {
    try {
      if (!ready.await(READY_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException("plugin still starting after " + READY_WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the plugin was starting");
    }
  }

  @Override
  public void init(Path home, List<String> options, List<IdMap> uidMaps, List<IdMap> gidMaps)
      throws IOException {
    awaitReady();
    if (!uidMaps.isEmpty() || !gidMaps.isEmpty()) {
      throw new IOException("user-namespace remapping (--userns-remap) is not supported");
    }
    driver.init(home, options);
    Map<String, Object> saved = new LinkedHashMap<>();
    saved.put("home", home.toString());
    saved.put("options", new ArrayList<>(options));
    Files.createDirectories(initFile.getParent());
    Path tmp = Files.createTempFile(initFile.getParent(), ".init", ".tmp");
    try {
      JSON.writeValue(tmp.toFile(), saved);
      Files.move(
          tmp, initFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    log.info("Init: home {} options {} (persisted in {})", home, options, initFile);
  }

  @Override
  public void create(String id, String parent, String mountLabel, Map<String, String> storageOpt)
      throws IOException {
    awaitReady();
    driver.create(new CreateRequest(id, parent, mountLabel, storageOpt));
  }

  @Override
  public void createReadWrite(
      String id, String parent, String mountLabel, Map<String, String> storageOpt)
      throws IOException {
    awaitReady();
    driver.createReadWrite(new CreateRequest(id, parent, mountLabel, storageOpt));
  }

  @Override
  public void remove(String id) throws IOException {
    awaitReady();
    driver.remove(id);
  }

  @Override
  public Path get(String id, String mountLabel) throws IOException {
    awaitReady();
    return driver.get(id, mountLabel);
  }

  @Override
  public void put(String id) throws IOException {
    awaitReady();
    driver.put(id);
  }

  @Override
  public boolean exists(String id) {
    try {
      awaitReady();
    } catch (IOException e) {
      return false;
    }
    return driver.exists(id);
  }

  @Override
  public List<Map.Entry<String, String>> status() {
    try {
      awaitReady();
      return new ArrayList<>(driver.status().entrySet());
    } catch (IOException | RuntimeException e) {
      return List.of(Map.entry("Error", e.getMessage() == null ? e.toString() : e.getMessage()));
    }
  }

  @Override
  public Map<String, String> metadata(String id) throws IOException {
    awaitReady();
    return driver.getMetadata(id);
  }

  @Override
  public void cleanup() throws IOException {
    awaitReady();
    driver.cleanup();
  }

  @Override
  public InputStream diff(String id, String parent) throws IOException {
    awaitReady();
    return driver.diff(id, parent);
  }

  @Override
  public List<Change> changes(String id, String parent) throws IOException {
    awaitReady();
    return driver.changes(id, parent).stream()
        .map(c -> new Change(c.path(), ChangeKind.values()[c.kind()]))
        .toList();
  }

  @Override
  public long applyDiff(String id, String parent, InputStream tar) throws IOException {
    awaitReady();
    return driver.applyDiff(id, parent, tar);
  }

  @Override
  public long diffSize(String id, String parent) throws IOException {
    awaitReady();
    return driver.diffSize(id, parent);
  }

  @Override
  public boolean reproducesExactDiffs() {
    try {
      awaitReady();
    } catch (IOException e) {
      return false;
    }
    return driver.capabilities().reproducesExactDiffs();
  }
}
