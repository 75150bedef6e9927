package io.cvmfsthin.plugin.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.plugin.protocol.PluginApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiffHandlerTest {
  static final int WRITABILITY_BIT = 1; // a user-defined writability flag the test turns off

  final RecordingBackend backend = new RecordingBackend();
  final TaskQueue workers = new TaskQueue();
  final EmbeddedChannel ch =
      new EmbeddedChannel(new DiffHandler(new PluginApi(backend), backend, workers));

  @AfterEach
  void release() {
    ch.finishAndReleaseAll();
  }

  static FullHttpRequest diff(String json) {
    return new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1,
        HttpMethod.POST,
        "/GraphDriver.Diff",
        Unpooled.copiedBuffer(json, US_ASCII));
  }

  /** What the handler wrote: the head, then the content chunks' sizes and bytes, then the end. */
  final class Written {
    HttpResponse head;
    final List<Integer> chunkSizes = new ArrayList<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean ended;

    Written read() {
      Object o;
      while ((o = ch.readOutbound()) != null) {
        if (o instanceof HttpResponse r) {
          head = r;
        }
        if (o instanceof HttpContent c) {
          if (c.content().isReadable()) {
            chunkSizes.add(c.content().readableBytes());
            bytes.writeBytes(ByteBufUtil.getBytes(c.content()));
          }
          ended |= c instanceof LastHttpContent;
          c.release();
        }
      }
      return this;
    }
  }

  byte[] expectedTar() throws IOException {
    RecordingBackend fake = new RecordingBackend();
    fake.diffBytes = backend.diffBytes;
    try (InputStream tar = fake.diff("m1", "")) {
      return tar.readAllBytes();
    }
  }

  @Test
  void tar_isStreamedInChunks_andEnded_andTheDriversStreamClosed() throws IOException {
    backend.diffBytes = 150_000;
    ch.writeInbound(diff("{\"ID\":\"m1\",\"Parent\":\"m1-init\"}"));
    assertThat(ch.<Object>readOutbound()).isNull();
    workers.runAll();

    Written w = new Written().read();
    assertThat(w.head.status().code()).isEqualTo(200);
    assertThat(HttpUtil.isTransferEncodingChunked(w.head)).isTrue();
    assertThat(w.head.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/x-tar");
    assertThat(w.chunkSizes).containsExactly(65536, 65536, 18928);
    assertThat(w.bytes.toByteArray()).isEqualTo(expectedTar());
    assertThat(w.ended).isTrue();
    assertThat(backend.diffClosed).isTrue();
    assertThat(backend.calls).containsExactly("diff m1 parent=m1-init");
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void fullChannel_parksWithoutHoldingAWorker_andWritabilityResumesIt() throws IOException {
    backend.diffBytes = 150_000;
    ch.unsafe().outboundBuffer().setUserDefinedWritability(WRITABILITY_BIT, false);
    ch.writeInbound(diff("{\"ID\":\"m1\"}"));
    workers.runAll();

    Written w = new Written().read();
    assertThat(w.head.status().code()).isEqualTo(200);
    assertThat(w.chunkSizes).as("nothing sent while the channel is full").isEmpty();
    assertThat(workers.size()).as("no worker waits").isZero();
    assertThat(backend.diffClosed).isFalse();

    ch.unsafe().outboundBuffer().setUserDefinedWritability(WRITABILITY_BIT, true);
    ch.runPendingTasks(); // the event loop fires channelWritabilityChanged
    assertThat(workers.size()).isEqualTo(1);
    workers.runAll();

    w.read();
    assertThat(w.bytes.toByteArray()).isEqualTo(expectedTar());
    assertThat(w.ended).isTrue();
    assertThat(backend.diffClosed).isTrue();
  }

  @Test
  void connectionClosedWhileParked_closesTheDriversStream() {
    ch.unsafe().outboundBuffer().setUserDefinedWritability(WRITABILITY_BIT, false);
    ch.writeInbound(diff("{\"ID\":\"m1\"}"));
    workers.runAll();
    assertThat(backend.diffClosed).isFalse();

    ch.close();
    workers.runAll();

    assertThat(backend.diffClosed).isTrue();
  }

  @Test
  void unknownLayer_isAnErrBeforeAnyByte() {
    ch.writeInbound(diff("{\"ID\":\"missing\"}"));
    workers.runAll();

    FullHttpResponse r = ch.readOutbound();
    try {
      assertThat(r.status().code()).isEqualTo(500);
      assertThat(r.content().toString(US_ASCII))
          .isEqualTo("{\"Err\":\"layer missing does not exist\"}");
    } finally {
      r.release();
    }
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void failureMidStream_closesTheConnectionWithoutEndingTheTar() {
    backend.diffBytes = 100_000;
    backend.failDiffMidStream = true;
    ch.writeInbound(diff("{\"ID\":\"m1\"}"));
    workers.runAll();

    Written w = new Written().read();
    assertThat(w.bytes.size()).isEqualTo(100_000);
    assertThat(w.ended).isFalse();
    assertThat(ch.isOpen()).isFalse();
    assertThat(backend.diffClosed).isTrue();
  }

  @Test
  void connectionClose_closesAfterTheEnd() {
    backend.diffBytes = 10;
    FullHttpRequest request = diff("{\"ID\":\"m1\"}");
    request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ch.writeInbound(request);
    workers.runAll();

    assertThat(new Written().read().ended).isTrue();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void otherRequests_passOn() {
    FullHttpRequest get =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/GraphDriver.Get");
    ch.writeInbound(get);

    assertThat(ch.<Object>readInbound()).isSameAs(get);
    assertThat(workers.size()).isZero();
    get.release();
  }
}
