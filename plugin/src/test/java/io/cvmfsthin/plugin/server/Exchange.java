package io.cvmfsthin.plugin.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.util.ArrayList;
import java.util.List;

/** Raw HTTP into a server pipeline, and what came back decoded as dockerd's client would. */
final class Exchange {
  private Exchange() {}

  /** Writes {@code request} (HTTP/1.1 text, bytes 0-255 as chars) into the channel. */
  static void send(EmbeddedChannel server, String request) {
    server.writeInbound(Unpooled.copiedBuffer(request, ISO_8859_1));
  }

  /** Every complete response written so far; a response cut off by a close is left out. */
  static List<Response> responses(EmbeddedChannel server) {
    EmbeddedChannel client =
        new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(64 << 20));
    ByteBuf out;
    while ((out = server.readOutbound()) != null) {
      client.writeInbound(out);
    }
    List<Response> responses = new ArrayList<>();
    FullHttpResponse r;
    while ((r = client.readInbound()) != null) {
      try {
        responses.add(
            new Response(
                r.status().code(),
                r.headers().get("Content-Type", ""),
                r.headers().get("Connection", ""),
                new String(ByteBufUtil.getBytes(r.content()), ISO_8859_1)));
      } finally {
        r.release();
      }
    }
    client.finishAndReleaseAll();
    return responses;
  }

  /** One decoded response; the body as ISO-8859-1 text (JSON here is ASCII). */
  record Response(int status, String contentType, String connection, String body) {}

  static String post(String path, String json) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/json\r\nContent-Length: "
        + json.length()
        + "\r\n\r\n"
        + json;
  }

  static String postChunked(String path, String... chunks) {
    StringBuilder b =
        new StringBuilder("POST ")
            .append(path)
            .append(" HTTP/1.1\r\nHost: plugin\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (String c : chunks) {
      b.append(Integer.toHexString(c.length())).append("\r\n").append(c).append("\r\n");
    }
    return b.append("0\r\n\r\n").toString();
  }
}
