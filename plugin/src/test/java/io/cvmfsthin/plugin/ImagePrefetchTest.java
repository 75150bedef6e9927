package io.cvmfsthin.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.prefetch.ChainKey;
import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.plugin.metrics.PrefetchMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's prefetch sessions without FUSE: recording, saving, publishing, local lists. */
class ImagePrefetchTest {
  static final String FQRN = "r.example.org";
  static final String LAYER = "/.layers/ab/ab12/layerfs";
  static final List<ChainKey.Layer> LAYERS = List.of(new ChainKey.Layer(FQRN, LAYER.substring(1)));
  static final String KEY = ChainKey.of(LAYERS);

  @TempDir Path state;
  ScheduledExecutorService control;
  final Map<String, PrefetchList> published = new ConcurrentHashMap<>();

  @BeforeEach
  void executors() {
    control = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void shutdown() throws InterruptedException {
    control.shutdownNow();
    control.awaitTermination(5, TimeUnit.SECONDS);
  }

  ImagePrefetch prefetch(String publishInto, int recordFiles) {
    PrefetchListPublisher publisher =
        new PrefetchListPublisher() {
          @Override
          public Optional<String> fqrn() {
            return Optional.of(publishInto);
          }

          @Override
          public void publish(String chainKey, PrefetchList list) {
            published.put(chainKey, list);
          }
        };
    return new ImagePrefetch(
        state.resolve("prefetch"),
        fqrn -> Optional.empty(),
        Runnable::run,
        control,
        publisher,
        Clock.systemUTC(),
        Duration.ofSeconds(60),
        recordFiles,
        4,
        Duration.ofMillis(50),
        PrefetchMetrics.NONE);
  }

  PrefetchList savedList() throws Exception {
    Path file = state.resolve("prefetch").resolve(KEY);
    for (int i = 0; i < 200 && !Files.exists(file); i++) {
      Thread.sleep(25);
    }
    return PrefetchList.read(Files.readAllBytes(file), file.toString()).list();
  }

  void drain() throws Exception {
    control.submit(() -> {}).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aFirstContainer_isRecorded_andTheListIsSavedAndPublishedWhenItsLastContainerStops()
      throws Exception {
    ImagePrefetch p = prefetch(FQRN, 100);
    p.started("init", KEY, LAYERS);
    p.started("rw", KEY, LAYERS);
    p.opened(FQRN, LAYER + "/bin/sh");
    p.opened(FQRN, "/.prefetch/ab/x/list");
    p.opened("other.example.org", LAYER + "/etc/passwd");
    p.opened(FQRN, LAYER + "/etc/hosts");
    p.opened(FQRN, LAYER + "/bin/sh");
    p.stopped("init");
    Thread.sleep(200);
    drain();
    assertThat(state.resolve("prefetch").resolve(KEY)).as("a container still runs").doesNotExist();
    p.stopped("rw");
    assertThat(savedList().paths()).containsExactly(LAYER + "/bin/sh", LAYER + "/etc/hosts");
    drain();
    assertThat(published).containsEntry(KEY, savedList());
  }

  @Test
  void theFileLimit_endsTheRecordingWhileTheContainerRuns() throws Exception {
    ImagePrefetch p = prefetch(FQRN, 2);
    p.started("rw", KEY, LAYERS);
    p.opened(FQRN, LAYER + "/1");
    p.opened(FQRN, LAYER + "/2");
    p.opened(FQRN, LAYER + "/3");
    assertThat(savedList().paths()).containsExactly(LAYER + "/1", LAYER + "/2");
  }

  @Test
  void withALocalList_nothingIsRecorded() throws Exception {
    Path file = Files.createDirectories(state.resolve("prefetch")).resolve(KEY);
    byte[] before = new PrefetchList(List.of(LAYER + "/old")).toBytes();
    Files.write(file, before);
    ImagePrefetch p = prefetch(FQRN, 100);
    p.started("rw", KEY, LAYERS);
    p.opened(FQRN, LAYER + "/new");
    p.stopped("rw");
    Thread.sleep(200);
    drain();
    assertThat(file).hasBinaryContent(before);
    assertThat(published).isEmpty();
  }

  @Test
  void aPublisherOfAnotherRepository_isNotUsed() throws Exception {
    ImagePrefetch p = prefetch("elsewhere.example.org", 100);
    p.started("rw", KEY, LAYERS);
    p.opened(FQRN, LAYER + "/a");
    p.stopped("rw");
    assertThat(savedList().paths()).containsExactly(LAYER + "/a");
    drain();
    assertThat(published).isEmpty();
  }

  @Test
  void aStartWithinTheLingerTime_keepsTheSession() throws Exception {
    ImagePrefetch p = prefetch(FQRN, 100);
    p.started("init", KEY, LAYERS);
    p.opened(FQRN, LAYER + "/a");
    p.stopped("init");
    p.started("rw", KEY, LAYERS);
    Thread.sleep(200);
    drain();
    p.opened(FQRN, LAYER + "/b");
    p.stopped("rw");
    assertThat(savedList().paths()).containsExactly(LAYER + "/a", LAYER + "/b");
  }

  @Test
  void anUnreadableLocalList_isReportedAndLeftAlone() throws IOException {
    Files.createDirectories(state.resolve("prefetch"));
    Files.writeString(state.resolve("prefetch").resolve(KEY), "garbage\n");
    ImagePrefetch p = prefetch(FQRN, 100);
    p.started("rw", KEY, LAYERS);
    p.stopped("rw");
    assertThat(state.resolve("prefetch").resolve(KEY)).hasContent("garbage");
  }
}
