package io.cvmfsthin.cvmfs.fuse.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeTableTest {
  private final NodeTable nodes = new NodeTable();

  @Test
  void root_isKnownAndNeverForgotten() {
    assertThat(nodes.path(FuseProtocol.ROOT_ID)).isEmpty();
    assertThat(nodes.lookedUp("", null)).isEqualTo(FuseProtocol.ROOT_ID);
    nodes.forget(FuseProtocol.ROOT_ID, 100);
    assertThat(nodes.path(FuseProtocol.ROOT_ID)).isEmpty();
  }

  @Test
  void lookedUp_samePath_keepsItsId() {
    long a = nodes.lookedUp("/a", null);
    assertThat(nodes.lookedUp("/a", null)).isEqualTo(a);
    assertThat(nodes.lookedUp("/b", null)).isNotEqualTo(a);
    assertThat(nodes.path(a)).isEqualTo("/a");
  }

  @Test
  void forget_dropsTheIdOnlyWhenEveryLookupIsForgotten() {
    long a = nodes.lookedUp("/a", null);
    nodes.lookedUp("/a", null);
    nodes.forget(a, 1);
    assertThat(nodes.path(a)).isEqualTo("/a");
    nodes.forget(a, 1);
    assertThat(nodes.path(a)).isNull();
    assertThat(nodes.size()).isEqualTo(1);
  }

  @Test
  void forgottenId_isNeverReused() {
    long a = nodes.lookedUp("/a", null);
    nodes.forget(a, 1);
    assertThat(nodes.lookedUp("/a", null)).isNotEqualTo(a);
  }

  @Test
  void forget_ofUnknownId_isIgnored() {
    nodes.forget(12345, 1);
    assertThat(nodes.size()).isEqualTo(1);
  }

  @Test
  void newContentAtAPath_getsANewId_andTheOldIdKeepsItsPath() {
    long first = nodes.lookedUp("/a", "hash-1");
    long second = nodes.lookedUp("/a", "hash-2");
    assertThat(second).isNotEqualTo(first);
    assertThat(nodes.path(first)).isEqualTo("/a");
    assertThat(nodes.path(second)).isEqualTo("/a");
    assertThat(nodes.lookedUp("/a", "hash-1")).isEqualTo(first);
  }
}
