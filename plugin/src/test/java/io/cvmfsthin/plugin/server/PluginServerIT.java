package io.cvmfsthin.plugin.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.plugin.protocol.PluginApi;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on a real Unix socket, spoken to the way dockerd 20.10 speaks (spec §2, §4). */
class PluginServerIT {
  @TempDir Path dir;
  RecordingBackend backend;
  ThreadPoolExecutor workers;
  PluginServer server;

  @BeforeEach
  void start() throws IOException {
    backend = new RecordingBackend();
    workers = new ThreadPoolExecutor(4, 4, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(16));
    server = PluginServer.start(dir.resolve("thin.sock"), new PluginApi(backend), backend, workers);
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
    workers.shutdownNow();
    workers.awaitTermination(5, TimeUnit.SECONDS);
  }

  UnixHttpClient client() throws IOException {
    return new UnixHttpClient(server.socket());
  }

  @Test
  void startupSequence_answersAsDockerdExpects() throws IOException {
    try (UnixHttpClient c = client()) {
      var init =
          c.post(
              "/GraphDriver.Init",
              "{\"Home\":\"/data/cvmfs/thin\",\"Opts\":null,\"UIDMaps\":null,\"GIDMaps\":null}\n");
      assertThat(init.status()).isEqualTo(200);
      var caps = c.post("/GraphDriver.Capabilities", "{}\n");
      assertThat(caps.text()).isEqualTo("{\"Capabilities\":{\"ReproducesExactDiffs\":false}}");
      var status = c.post("/GraphDriver.Status", "{}\n");
      assertThat(status.text())
          .isEqualTo(
              "{\"Status\":[[\"Backing Filesystem\",\"extfs\"],[\"Supports d_type\",\"true\"]]}");
    }
    assertThat(backend.calls).containsExactly("init /data/cvmfs/thin [] [] []");
  }

  @Test
  void layerCalls_mapFieldsOneToOne() throws IOException {
    try (UnixHttpClient c = client()) {
      assertThat(c.post("/GraphDriver.Create", "{\"ID\":\"b1\"}\n").status()).isEqualTo(200);
      c.post(
          "/GraphDriver.CreateReadWrite",
          "{\"ID\":\"m1-init\",\"Parent\":\"b1\",\"StorageOpt\":{\"size\":\"1G\"}}\n");
      assertThat(c.post("/GraphDriver.Get", "{\"ID\":\"m1\"}\n").text())
          .isEqualTo("{\"Dir\":\"/data/driver/m1/merged\"}");
      c.post("/GraphDriver.Put", "{\"ID\":\"m1\"}\n");
      assertThat(c.post("/GraphDriver.Exists", "{\"ID\":\"present\"}\n").text())
          .isEqualTo("{\"Exists\":true}");
      assertThat(c.post("/GraphDriver.Changes", "{\"ID\":\"m1\",\"Parent\":\"m1-init\"}\n").text())
          .isEqualTo(
              "{\"Changes\":[{\"Path\":\"/etc/passwd\",\"Kind\":0},{\"Path\":\"/tmp/x\",\"Kind\":2}]}");
      assertThat(c.post("/GraphDriver.DiffSize", "{\"ID\":\"m1\",\"Parent\":\"m1-init\"}\n").text())
          .isEqualTo("{\"Size\":4096}");
      assertThat(c.post("/GraphDriver.GetMetadata", "{\"ID\":\"m1\"}\n").text())
          .isEqualTo("{\"Metadata\":{\"UpperDir\":\"/data/driver/m1/diff\"}}");
      c.post("/GraphDriver.Remove", "{\"ID\":\"m1\"}\n");
      c.post("/GraphDriver.Cleanup", "{}\n");
    }
    assertThat(backend.calls)
        .containsExactly(
            "create b1 parent= opts={}",
            "createReadWrite m1-init parent=b1 opts={size=1G}",
            "get m1",
            "put m1",
            "remove m1",
            "cleanup");
  }

  @Test
  void applyDiff_streamsAChunkedBodyLargerThanTheBuffers() throws IOException {
    byte[] layer = new byte[24 * 1024 * 1024];
    new Random(7).nextBytes(layer);
    backend.readDelayMillis = 0;
    try (UnixHttpClient c = client()) {
      var r =
          c.postChunked(
              "/GraphDriver.ApplyDiff?id=l2&parent=l1", new ByteArrayInputStream(layer), 8192);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).isEqualTo("{\"Size\":" + layer.length + "}");
      // the connection stays usable after a streamed body
      assertThat(c.post("/GraphDriver.Exists", "{\"ID\":\"present\"}\n").status()).isEqualTo(200);
    }
    assertThat(backend.appliedBytes).isEqualTo(layer.length);
    assertThat(backend.calls).contains("applyDiff l2 parent=l1");
  }

  @Test
  void applyDiff_failureIsAnErrAnswerAfterTheBodyIsConsumed() throws IOException {
    backend.applyFailure = new IOException("layer l3: tar entry '../etc/passwd' leaves the layer");
    try (UnixHttpClient c = client()) {
      var r =
          c.postChunked(
              "/GraphDriver.ApplyDiff?id=l3&parent=",
              new ByteArrayInputStream(new byte[5 << 20]),
              16384);
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.text())
          .isEqualTo("{\"Err\":\"layer l3: tar entry '../etc/passwd' leaves the layer\"}");
      assertThat(c.post("/GraphDriver.Status", "{}\n").status()).isEqualTo(200);
    }
  }

  @Test
  void diff_streamsChunkedTar() throws IOException {
    try (UnixHttpClient c = client()) {
      var r = c.post("/GraphDriver.Diff", "{\"ID\":\"m1\",\"Parent\":\"m1-init\"}\n");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).containsEntry("transfer-encoding", "chunked");
      assertThat(r.complete()).isTrue();
      assertThat(r.body()).hasSize((int) backend.diffBytes);
    }
  }

  @Test
  void diff_failingMidStream_breaksTheConnectionInsteadOfEndingCleanly() throws IOException {
    backend.failDiffMidStream = true;
    try (UnixHttpClient c = client()) {
      var r = c.post("/GraphDriver.Diff", "{\"ID\":\"m1\",\"Parent\":\"m1-init\"}\n");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.complete()).isFalse();
    }
    try (UnixHttpClient c = client()) {
      assertThat(c.post("/GraphDriver.Status", "{}\n").status()).isEqualTo(200);
    }
  }

  @Test
  void diff_ofUnknownLayer_isAnErrBeforeAnyByte() throws IOException {
    try (UnixHttpClient c = client()) {
      var r = c.post("/GraphDriver.Diff", "{\"ID\":\"missing\"}\n");
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.text()).contains("layer missing does not exist");
    }
  }

  @Test
  void badRequests_getErrAnswersAndTheServerKeepsServing() throws IOException {
    try (UnixHttpClient c = client()) {
      var malformed = c.post("/GraphDriver.Create", "{\"ID\": \"x\",,}");
      assertThat(malformed.status()).isEqualTo(500);
      assertThat(malformed.text())
          .startsWith("{\"Err\":\"malformed JSON body for /GraphDriver.Create");
      var unknown = c.post("/GraphDriver.Mounted", "{}");
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.text()).contains("unknown method /GraphDriver.Mounted");
      var noId = c.post("/GraphDriver.Get", "{}");
      assertThat(noId.status()).isEqualTo(500);
      assertThat(noId.text()).contains("/GraphDriver.Get without ID");
      var traversal = c.post("/GraphDriver.Remove", "{\"ID\":\"../../etc\"}");
      assertThat(traversal.text()).contains("invalid layer id '../../etc'");
      var failing = c.post("/GraphDriver.Create", "{\"ID\":\"fail\"}");
      assertThat(failing.status()).isEqualTo(500);
      assertThat(failing.text()).isEqualTo("{\"Err\":\"layer fail: disk on fire\"}");
      var activate = c.post("/Plugin.Activate", "");
      assertThat(activate.text()).isEqualTo("{\"Implements\":[\"GraphDriver\"]}");
    }
    try (UnixHttpClient c = client()) {
      var garbage = c.raw("THIS IS NOT HTTP\r\n\r\n");
      assertThat(garbage.status()).isIn(400, 404, 500);
    } catch (IOException closed) {
      // closing a connection that does not speak HTTP is also fine
    }
    try (UnixHttpClient c = client()) {
      assertThat(c.post("/GraphDriver.Status", "{}\n").status()).isEqualTo(200);
    }
    assertThat(backend.calls).doesNotContain("remove ../../etc");
  }

  @Test
  void oversizedJson_isRefused() throws IOException {
    try (UnixHttpClient c = client()) {
      String big = "{\"ID\":\"" + "a".repeat(JsonBodyAggregator.MAX_JSON_BYTES) + "\"}";
      var r = c.post("/GraphDriver.Create", big);
      assertThat(r.status()).isEqualTo(413);
    } catch (IOException closedEarly) {
      // the server may close before reading everything; that is a refusal too
    }
    try (UnixHttpClient c = client()) {
      assertThat(c.post("/GraphDriver.Status", "{}\n").status()).isEqualTo(200);
    }
  }

  static InputStream zeros(int n) {
    return new ByteArrayInputStream(new byte[n]);
  }
}
