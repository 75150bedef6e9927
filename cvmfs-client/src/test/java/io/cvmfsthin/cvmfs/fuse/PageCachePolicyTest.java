package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.fuse.PageCachePolicy.Decision;
import org.junit.jupiter.api.Test;

class PageCachePolicyTest {
  @Test
  void sameContent_keepsTheCache_newContentDropsIt_mixedOpensBypassIt() {
    PageCachePolicy p = new PageCachePolicy(100);
    assertThat(p.open("/a", "v1")).isEqualTo(new Decision(false, false)); // first: nothing cached
    assertThat(p.open("/a", "v1")).isEqualTo(new Decision(true, false));
    assertThat(p.open("/a", "v2")).isEqualTo(new Decision(false, true)); // v1 still open
    p.release("/a", "v1");
    p.release("/a", "v1");
    // only v2 is open now: the cache is dropped (it held v1) and holds v2 from here on
    assertThat(p.open("/a", "v2")).isEqualTo(new Decision(false, false));
    assertThat(p.open("/a", "v2")).isEqualTo(new Decision(true, false));
    assertThat(p.open("/a", "v1")).isEqualTo(new Decision(false, true)); // v2 open: bypass
    assertThat(p.open("/b", "v1")).isEqualTo(new Decision(false, false));
  }
}
