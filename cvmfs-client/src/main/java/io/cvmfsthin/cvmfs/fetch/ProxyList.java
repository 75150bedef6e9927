package io.cvmfsthin.cvmfs.fetch;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code CVMFS_HTTP_PROXY} (spec §10.5): groups separated by {@code ;} are tried in order,
 * members of a group separated by {@code |} are load-balanced; {@code DIRECT} means no proxy.
 * {@code auto} (WPAD/PAC) is not supported.
 */
public final class ProxyList {
  private ProxyList() {}

  /** A proxy: host and port, or {@link #DIRECT}. */
  public record ProxyAddress(String host, int port) {
    public static final ProxyAddress DIRECT = new ProxyAddress("", 0);

    public boolean isDirect() {
      return host.isEmpty();
    }

    @Override
    public String toString() {
      return isDirect() ? "DIRECT" : "http://" + host + ":" + port;
    }
  }

  public static List<List<ProxyAddress>> parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("CVMFS_HTTP_PROXY is empty; use DIRECT for no proxy");
    }
    List<List<ProxyAddress>> groups = new ArrayList<>();
    for (String group : value.split(";")) {
      List<ProxyAddress> members = new ArrayList<>();
      for (String member : group.split("\\|")) {
        String m = member.trim();
        if (!m.isEmpty()) {
          members.add(parseMember(m));
        }
      }
      if (!members.isEmpty()) {
        groups.add(List.copyOf(members));
      }
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("CVMFS_HTTP_PROXY '" + value + "' names no proxy");
    }
    return List.copyOf(groups);
  }

  private static ProxyAddress parseMember(String m) {
    if (m.equalsIgnoreCase("DIRECT")) {
      return ProxyAddress.DIRECT;
    }
    if (m.equalsIgnoreCase("auto")) {
      throw new IllegalArgumentException("CVMFS_HTTP_PROXY: 'auto' (WPAD/PAC) is not supported");
    }
    String url = m.contains("://") ? m : "http://" + m;
    try {
      URI uri = URI.create(url);
      if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http proxy");
      }
      return new ProxyAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "CVMFS_HTTP_PROXY: '" + m + "' is no proxy (host:port, http://host:port or DIRECT)", e);
    }
  }
}
