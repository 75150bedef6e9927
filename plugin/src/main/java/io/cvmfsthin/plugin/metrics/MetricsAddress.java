package io.cvmfsthin.plugin.metrics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where the {@code /metrics} endpoint listens: {@code HOST:PORT} ({@code [::1]:PORT} for IPv6) on a
 * loopback address only. The plugin runs in the host's network namespace, so any other address
 * would open the endpoint to the network.
 */
public record MetricsAddress(InetAddress host, int port) {
  /** The port {@code cvmfs-thin stats} asks when given no address, and README's examples use. */
  public static final String DEFAULT = "127.0.0.1:9723";

  /**
   * Parses and checks {@code text}; {@code setting} names where it came from in the message.
   *
   * @throws IllegalArgumentException naming the setting and the value if it is not HOST:PORT, the
   *     port is not 1..65535, the host is unknown or not a loopback address
   */
  public static MetricsAddress parse(String text, String setting) {
    String t = text.strip();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw bad(setting, text, "expected HOST:PORT, for example " + DEFAULT);
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw bad(setting, text, "write an IPv6 address in brackets, for example [::1]:9723");
    }
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw bad(setting, text, "the port is not a number");
    }
    if (port < 1 || port > 65535) {
      throw bad(setting, text, "the port must be 1..65535");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw bad(setting, text, "unknown host " + host);
    }
    if (!address.isLoopbackAddress()) {
      throw bad(
          setting,
          text,
          "not a loopback address; the plugin runs in the host's network namespace, so the"
              + " endpoint would be open to the network: use 127.0.0.1:PORT or [::1]:PORT");
    }
    return new MetricsAddress(address, port);
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** HOST:PORT as {@link #parse} reads it. */
  @Override
  public String toString() {
    String h = host.getHostAddress();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
  }

  private static IllegalArgumentException bad(String setting, String text, String why) {
    return new IllegalArgumentException(setting + " '" + text + "': " + why);
  }
}
