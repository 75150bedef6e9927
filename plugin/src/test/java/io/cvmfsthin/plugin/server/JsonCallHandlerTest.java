package io.cvmfsthin.plugin.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonCallHandlerTest {
  final RecordingBackend backend = new RecordingBackend();
  final TaskQueue workers = new TaskQueue();
  final EmbeddedChannel ch =
      new EmbeddedChannel(new JsonCallHandler(new PluginApi(backend), workers));

  @AfterEach
  void release() {
    ch.finishAndReleaseAll();
  }

  static FullHttpRequest post(String path, String json) {
    return new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.copiedBuffer(json, US_ASCII));
  }

  static String text(FullHttpResponse r) {
    try {
      return r.status().code() + " " + r.content().toString(US_ASCII);
    } finally {
      r.release();
    }
  }

  @Test
  void call_runsOnAWorker_andIsAnsweredThere() {
    ch.writeInbound(post("/GraphDriver.Create", "{\"ID\":\"b1\"}"));
    assertThat(ch.<Object>readOutbound()).isNull();
    assertThat(backend.calls).isEmpty();

    workers.runAll();

    FullHttpResponse r = ch.readOutbound();
    assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("keep-alive");
    assertThat(text(r)).isEqualTo("200 {}");
    assertThat(backend.calls).containsExactly("create b1 parent= opts={}");
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void connectionClose_closesAfterTheAnswer() {
    FullHttpRequest request = post("/GraphDriver.Exists", "{\"ID\":\"present\"}");
    request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ch.writeInbound(request);
    workers.runAll();

    assertThat(text(ch.readOutbound())).isEqualTo("200 {\"Exists\":true}");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void driverFailure_isAnErrAnswer() {
    ch.writeInbound(post("/GraphDriver.Create", "{\"ID\":\"fail\"}"));
    workers.runAll();

    assertThat(text(ch.readOutbound())).isEqualTo("500 {\"Err\":\"layer fail: disk on fire\"}");
  }

  @Test
  void malformedHttp_is400_andTheConnectionCloses() {
    FullHttpRequest bad = post("/bad-request", "");
    bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid version")));
    ch.writeInbound(bad);

    assertThat(workers.size()).isZero();
    assertThat(text(ch.readOutbound()))
        .startsWith("400 {\"Err\":\"malformed HTTP request: ")
        .contains("invalid version");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void refusedByTheWorkers_is503() {
    workers.rejecting = true;
    ch.writeInbound(post("/GraphDriver.Cleanup", "{}"));

    assertThat(text(ch.readOutbound()))
        .isEqualTo("503 {\"Err\":\"/GraphDriver.Cleanup: plugin is overloaded or shutting down\"}");
    assertThat(backend.calls).isEmpty();
  }
}
