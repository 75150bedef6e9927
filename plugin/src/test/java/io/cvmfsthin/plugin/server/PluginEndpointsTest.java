package io.cvmfsthin.plugin.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every plugin endpoint through the whole pipeline, as raw HTTP the way dockerd sends it, against a
 * recording fake of the driver: the wire fields map one to one onto backend calls and back.
 */
class PluginEndpointsTest {
  static final long DIFF_BYTES = 150_000; // more than two chunks

  /** One request, its answer, and the backend call it must make ("" for none). */
  record Row(String path, String request, int status, String answer, String call) {
    @Override
    public String toString() {
      return path;
    }
  }

  static Stream<Row> rows() throws IOException {
    String layer = "{\"ID\":\"m1\",\"Parent\":\"m1-init\"}";
    return Stream.of(
        new Row(
            "/Plugin.Activate",
            Exchange.post("/Plugin.Activate", ""),
            200,
            "{\"Implements\":[\"GraphDriver\"]}",
            ""),
        new Row(
            "/GraphDriver.Init",
            Exchange.post(
                "/GraphDriver.Init",
                "{\"Home\":\"/data/thin\",\"Opts\":[\"a=b\"],"
                    + "\"UIDMaps\":[{\"container_id\":0,\"host_id\":100000,\"size\":65536}],"
                    + "\"GIDMaps\":null}"),
            200,
            "{}",
            "init /data/thin [a=b] [IdMap[containerId=0, hostId=100000, size=65536]] []"),
        new Row(
            "/GraphDriver.Capabilities",
            Exchange.post("/GraphDriver.Capabilities", "{}"),
            200,
            "{\"Capabilities\":{\"ReproducesExactDiffs\":false}}",
            ""),
        new Row(
            "/GraphDriver.Create",
            Exchange.post(
                "/GraphDriver.Create",
                "{\"ID\":\"b1\",\"Parent\":\"\",\"MountLabel\":\"\",\"StorageOpt\":null}"),
            200,
            "{}",
            "create b1 parent= opts={}"),
        new Row(
            "/GraphDriver.CreateReadWrite",
            Exchange.post(
                "/GraphDriver.CreateReadWrite",
                "{\"ID\":\"m1-init\",\"Parent\":\"b1\",\"StorageOpt\":{\"size\":\"1G\"}}"),
            200,
            "{}",
            "createReadWrite m1-init parent=b1 opts={size=1G}"),
        new Row(
            "/GraphDriver.Remove",
            Exchange.post("/GraphDriver.Remove", "{\"ID\":\"m1\"}"),
            200,
            "{}",
            "remove m1"),
        new Row(
            "/GraphDriver.Get",
            Exchange.post("/GraphDriver.Get", "{\"ID\":\"m1\",\"MountLabel\":\"\"}"),
            200,
            "{\"Dir\":\"/data/driver/m1/merged\"}",
            "get m1"),
        new Row(
            "/GraphDriver.Put",
            Exchange.post("/GraphDriver.Put", "{\"ID\":\"m1\"}"),
            200,
            "{}",
            "put m1"),
        new Row(
            "/GraphDriver.Exists",
            Exchange.post("/GraphDriver.Exists", "{\"ID\":\"present\"}"),
            200,
            "{\"Exists\":true}",
            ""),
        new Row(
            "/GraphDriver.Status",
            Exchange.post("/GraphDriver.Status", "{}"),
            200,
            "{\"Status\":[[\"Backing Filesystem\",\"extfs\"],[\"Supports d_type\",\"true\"]]}",
            ""),
        new Row(
            "/GraphDriver.GetMetadata",
            Exchange.post("/GraphDriver.GetMetadata", "{\"ID\":\"m1\"}"),
            200,
            "{\"Metadata\":{\"UpperDir\":\"/data/driver/m1/diff\"}}",
            ""),
        new Row(
            "/GraphDriver.Cleanup",
            Exchange.post("/GraphDriver.Cleanup", "{}"),
            200,
            "{}",
            "cleanup"),
        new Row(
            "/GraphDriver.Diff",
            Exchange.post("/GraphDriver.Diff", layer),
            200,
            expectedTar(),
            "diff m1 parent=m1-init"),
        new Row(
            "/GraphDriver.Changes",
            Exchange.post("/GraphDriver.Changes", layer),
            200,
            "{\"Changes\":[{\"Path\":\"/etc/passwd\",\"Kind\":0},{\"Path\":\"/tmp/x\",\"Kind\":2}]}",
            ""),
        new Row(
            "/GraphDriver.ApplyDiff",
            Exchange.postChunked("/GraphDriver.ApplyDiff?id=l2&parent=l1", "tar ", "bytes"),
            200,
            "{\"Size\":9}",
            "applyDiff l2 parent=l1"),
        new Row(
            "/GraphDriver.DiffSize",
            Exchange.post("/GraphDriver.DiffSize", layer),
            200,
            "{\"Size\":4096}",
            ""),
        new Row(
            "/GraphDriver.Mounted",
            Exchange.post("/GraphDriver.Mounted", "{}"),
            404,
            "{\"Err\":\"unknown method /GraphDriver.Mounted"
                + " (this plugin implements docker.graphdriver/1.0)\"}",
            ""),
        new Row(
            "/VolumeDriver.Create",
            Exchange.post("/VolumeDriver.Create", "{}"),
            404,
            "{\"Err\":\"unknown method /VolumeDriver.Create"
                + " (this plugin implements docker.graphdriver/1.0)\"}",
            ""));
  }

  private static String expectedTar() throws IOException {
    RecordingBackend fake = new RecordingBackend();
    fake.diffBytes = DIFF_BYTES;
    try (InputStream tar = fake.diff("m1", "m1-init")) {
      return new String(tar.readAllBytes(), ISO_8859_1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void endpoint_mapsOntoTheBackendAndAnswers(Row row) {
    RecordingBackend backend = new RecordingBackend();
    backend.diffBytes = DIFF_BYTES;
    TaskQueue workers = new TaskQueue();
    EmbeddedChannel ch =
        new EmbeddedChannel(PluginPipeline.initializer(new PluginApi(backend), backend, workers));

    Exchange.send(ch, row.request());
    assertThat(Exchange.responses(ch)).as("nothing is answered on the event loop").isEmpty();
    workers.runAll();

    List<Exchange.Response> responses = Exchange.responses(ch);
    assertThat(responses).hasSize(1);
    assertThat(responses.get(0).status()).isEqualTo(row.status());
    assertThat(responses.get(0).body()).isEqualTo(row.answer());
    assertThat(responses.get(0).contentType())
        .isEqualTo(
            row.path().equals(PluginApi.DIFF) ? "application/x-tar" : PluginRequest.JSON_TYPE);
    assertThat(backend.calls)
        .containsExactlyElementsOf(row.call().isEmpty() ? List.of() : List.of(row.call()));
    assertThat(ch.isOpen()).as("kept alive").isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void table_coversEveryEndpointThePluginServes() throws IOException {
    Set<String> covered = new TreeSet<>();
    rows().filter(r -> r.status() != 404).forEach(r -> covered.add(r.path()));
    assertThat(covered).isEqualTo(PluginApi.endpoints());
  }
}
