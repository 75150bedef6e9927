package io.cvmfsthin.plugin.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApplyDiffHandlerTest {
  final RecordingBackend backend = new RecordingBackend();
  final TaskQueue workers = new TaskQueue();
  final EmbeddedChannel ch = new EmbeddedChannel(new ApplyDiffHandler(backend, workers));

  @AfterEach
  void release() {
    ch.finishAndReleaseAll();
  }

  static HttpRequest head(String uri) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
    r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    return r;
  }

  static HttpContent chunk(int bytes) {
    return new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[bytes]));
  }

  static String text(FullHttpResponse r) {
    try {
      return r.content().toString(US_ASCII);
    } finally {
      r.release();
    }
  }

  @Test
  void body_streamsIntoTheDriver_andTheAnswerFollowsItsEnd() {
    ch.writeInbound(head("/GraphDriver.ApplyDiff?id=l2&parent=l1"));
    assertThat(workers.size()).as("the driver starts at the head").isEqualTo(1);
    ch.writeInbound(chunk(70_000));
    ch.writeInbound(chunk(30_000));
    ch.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[5])));
    assertThat(ch.<Object>readInbound()).as("consumed, not passed on").isNull();
    assertThat(ch.<Object>readOutbound()).isNull();

    workers.runAll();

    FullHttpResponse r = ch.readOutbound();
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(text(r)).isEqualTo("{\"Size\":100005}");
    assertThat(backend.calls).containsExactly("applyDiff l2 parent=l1");
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void driverFailure_isAnErrAnswerAfterTheWholeBody() {
    backend.applyFailure = new IOException("layer l3: tar entry '../x' leaves the layer");
    ch.writeInbound(head("/GraphDriver.ApplyDiff?id=l3"));
    ch.writeInbound(chunk(10_000));
    ch.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    workers.runAll();

    FullHttpResponse r = ch.readOutbound();
    assertThat(r.status().code()).isEqualTo(500);
    assertThat(text(r)).isEqualTo("{\"Err\":\"layer l3: tar entry '../x' leaves the layer\"}");
  }

  @Test
  void invalidLayerId_isRefusedAtTheHead_itsBodyDropped_andTheConnectionClosed() {
    HttpContent rest = chunk(100);
    ByteBuf restBytes = rest.content();
    // one read from the socket: the chunks arrive before the close takes effect
    ch.writeInbound(
        head("/GraphDriver.ApplyDiff?id=../../etc"), rest, LastHttpContent.EMPTY_LAST_CONTENT);

    assertThat(workers.size()).isZero();
    FullHttpResponse r = ch.readOutbound();
    assertThat(r.status().code()).isEqualTo(500);
    assertThat(text(r)).contains("invalid layer id '../../etc'");
    assertThat(restBytes.refCnt()).as("released").isZero();
    assertThat(ch.<Object>readInbound()).isNull();
    assertThat(ch.isOpen()).isFalse();
    assertThat(backend.calls).isEmpty();
  }

  @Test
  void refusedByTheWorkers_is503_andTheBodyIsDropped() {
    workers.rejecting = true;
    ch.writeInbound(head("/GraphDriver.ApplyDiff?id=l4"));
    HttpContent rest = chunk(100);
    ByteBuf restBytes = rest.content();
    ch.writeInbound(rest, LastHttpContent.EMPTY_LAST_CONTENT);

    FullHttpResponse r = ch.readOutbound();
    assertThat(r.status().code()).isEqualTo(503);
    assertThat(text(r)).contains("/GraphDriver.ApplyDiff: plugin is overloaded");
    assertThat(restBytes.refCnt()).isZero();
    assertThat(ch.<Object>readInbound()).isNull();
  }

  @Test
  void connectionClosedMidBody_failsTheDriversRead_andNothingIsAnswered() {
    ch.writeInbound(head("/GraphDriver.ApplyDiff?id=l5"));
    ch.writeInbound(chunk(10));
    ch.close();
    workers.runAll();

    assertThat(backend.calls)
        .containsExactly(
            "applyDiff l5 parent=", "applyDiff l5 failed: request body broken off after 10 bytes");
    assertThat(ch.<Object>readOutbound()).isNull();
  }

  @Test
  void otherRequests_passOnUntouched() {
    HttpRequest get =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/GraphDriver.Get");
    HttpContent body = new DefaultLastHttpContent(Unpooled.copiedBuffer("{}", US_ASCII));
    ch.writeInbound(get, body);

    assertThat(ch.<Object>readInbound()).isSameAs(get);
    assertThat(ch.<Object>readInbound()).isSameAs(body);
    assertThat(body.refCnt()).isEqualTo(1);
    assertThat(workers.size()).isZero();
    body.release();
  }
}
