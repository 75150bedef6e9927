package io.cvmfsthin.plugin.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A minimal HTTP/1.1 client over a Unix socket, speaking to the plugin as dockerd does. */
final class UnixHttpClient implements AutoCloseable {
  private final SocketChannel channel;
  private final InputStream in;
  private final OutputStream out;

  UnixHttpClient(Path socket) throws IOException {
    channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    in = new java.io.BufferedInputStream(Channels.newInputStream(channel));
    out = Channels.newOutputStream(channel);
  }

  record Response(int status, Map<String, String> headers, byte[] body, boolean complete) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** POST with a JSON body and Content-Length, as dockerd sends every call but ApplyDiff. */
  Response post(String path, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: plugin.moby.localhost\r\n"
            + "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return read();
  }

  /** POST with a chunked raw body, as dockerd sends ApplyDiff. */
  Response postChunked(String path, InputStream body, int chunkSize) throws IOException {
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: plugin.moby.localhost\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    byte[] buf = new byte[chunkSize];
    int n;
    while ((n = body.readNBytes(buf, 0, buf.length)) > 0) {
      out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(buf, 0, n);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return read();
  }

  /** Sends raw bytes (for malformed requests). */
  Response raw(String request) throws IOException {
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return read();
  }

  Response read() throws IOException {
    String status = line();
    int code = Integer.parseInt(status.split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    String l;
    while (!(l = line()).isEmpty()) {
      int c = l.indexOf(':');
      headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean complete = true;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      try {
        while (true) {
          int size = Integer.parseInt(line().trim(), 16);
          if (size == 0) {
            line();
            break;
          }
          byte[] chunk = in.readNBytes(size);
          if (chunk.length < size) {
            throw new EOFException();
          }
          body.write(chunk);
          line();
        }
      } catch (EOFException | NumberFormatException e) {
        complete = false; // broken off: no terminating chunk
      }
    } else {
      int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      body.write(in.readNBytes(len));
    }
    return new Response(code, headers, body.toByteArray(), complete);
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      sb.append((char) b);
    }
    throw new EOFException("connection closed");
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
