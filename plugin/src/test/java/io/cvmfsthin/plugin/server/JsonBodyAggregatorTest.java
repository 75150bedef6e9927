package io.cvmfsthin.plugin.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonBodyAggregatorTest {
  final EmbeddedChannel ch = new EmbeddedChannel(new JsonBodyAggregator());

  @AfterEach
  void release() {
    ch.finishAndReleaseAll();
  }

  static HttpRequest create() {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/GraphDriver.Create");
  }

  @Test
  void smallBody_becomesOneFullRequest() {
    ch.writeInbound(create());
    ch.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer("{\"ID\":", US_ASCII)));
    ch.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer("\"b1\"}", US_ASCII)));

    FullHttpRequest full = ch.readInbound();
    try {
      assertThat(full.uri()).isEqualTo("/GraphDriver.Create");
      assertThat(full.content().toString(US_ASCII)).isEqualTo("{\"ID\":\"b1\"}");
    } finally {
      full.release();
    }
  }

  @Test
  void declaredLengthOverTheLimit_is413WithErr_andTheConnectionCloses() {
    HttpRequest head = create();
    HttpUtil.setContentLength(head, JsonBodyAggregator.MAX_JSON_BYTES + 1L);
    ch.writeInbound(head);

    assertOversizedAnswer();
  }

  @Test
  void chunkedBodyGrowingOverTheLimit_is413WithErr_andTheConnectionCloses() {
    HttpRequest head = create();
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    ch.writeInbound(head);
    ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1 << 19])));
    assertThat(ch.<Object>readOutbound()).isNull();
    ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1 << 19])));
    ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1])));

    assertOversizedAnswer();
  }

  private void assertOversizedAnswer() {
    FullHttpResponse r = ch.readOutbound();
    try {
      assertThat(r.status().code()).isEqualTo(413);
      assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(PluginRequest.JSON_TYPE);
      assertThat(r.content().toString(US_ASCII))
          .isEqualTo("{\"Err\":\"/GraphDriver.Create: JSON body larger than 1048576\"}");
    } finally {
      r.release();
    }
    assertThat(ch.<Object>readInbound()).isNull();
    assertThat(ch.isOpen()).isFalse();
  }
}
