package io.cvmfsthin.cvmfs.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.fetch.ProxyList.ProxyAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerAndProxyListTest {
  @Test
  void serverUrls_splitAtSemicolons_withFqrnAndOrgReplaced() {
    assertThat(
            ServerList.parse(
                " http://s1.cern.ch/cvmfs/@fqrn@ ;http://s2/@org@/x/;; file:///srv/cvmfs/@fqrn@",
                "atlas.cern.ch"))
        .containsExactly(
            "http://s1.cern.ch/cvmfs/atlas.cern.ch",
            "http://s2/atlas/x",
            "file:///srv/cvmfs/atlas.cern.ch");
  }

  @Test
  void serverUrls_emptyOrNotHttp_areRefused() {
    assertThatThrownBy(() -> ServerList.parse(" ; ", "a.b"))
        .hasMessageContaining("names no server");
    assertThatThrownBy(() -> ServerList.parse("", "a.b")).hasMessageContaining("empty");
    assertThatThrownBy(() -> ServerList.parse("ftp://x/y", "a.b"))
        .hasMessageContaining("'ftp://x/y' is no http://");
  }

  @Test
  void proxies_groupsAndMembers() {
    assertThat(ProxyList.parse("http://p1:3128|p2:8080;DIRECT"))
        .containsExactly(
            List.of(new ProxyAddress("p1", 3128), new ProxyAddress("p2", 8080)),
            List.of(ProxyAddress.DIRECT));
    assertThat(ProxyList.parse("proxy.example.org"))
        .containsExactly(List.of(new ProxyAddress("proxy.example.org", 80)));
  }

  @Test
  void proxies_emptyOrAuto_areRefused() {
    assertThatThrownBy(() -> ProxyList.parse("")).hasMessageContaining("use DIRECT");
    assertThatThrownBy(() -> ProxyList.parse("auto")).hasMessageContaining("not supported");
    assertThatThrownBy(() -> ProxyList.parse("https://p:1")).hasMessageContaining("is no proxy");
  }
}
