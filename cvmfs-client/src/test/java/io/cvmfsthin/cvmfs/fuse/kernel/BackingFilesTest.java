package io.cvmfsthin.cvmfs.fuse.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackingFilesTest {
  private final List<Integer> opened = new ArrayList<>(); // fds registered
  private final List<Integer> closed = new ArrayList<>(); // backing ids dropped
  private int nextId = 1;
  private int refuseWith; // errno to refuse with, or 0

  private final BackingFiles backings =
      new BackingFiles(
          new Requests.Backing() {
            @Override
            public int open(int fd) {
              if (refuseWith != 0) {
                return -refuseWith;
              }
              opened.add(fd);
              return nextId++;
            }

            @Override
            public void close(int backingId) {
              closed.add(backingId);
            }
          });

  @Test
  void opensOfOneNode_shareOneBackingId_droppedAtTheLastRelease() {
    int a = backings.acquire(10, 5, 100);
    int b = backings.acquire(11, 5, 101);
    assertThat(b).isEqualTo(a);
    assertThat(opened).containsExactly(100);
    backings.release(10);
    assertThat(closed).isEmpty();
    backings.release(11);
    assertThat(closed).containsExactly(a);
    assertThat(backings.size()).isZero();
  }

  @Test
  void otherNodes_getTheirOwnBackingIds() {
    assertThat(backings.acquire(10, 5, 100)).isNotEqualTo(backings.acquire(11, 6, 101));
  }

  @Test
  void noDescriptorAndNoBacking_isZero_andReleasesNothing() {
    assertThat(backings.acquire(10, 5, -1)).isZero();
    backings.release(10);
    assertThat(closed).isEmpty();
  }

  @Test
  void noDescriptor_sharesTheBackingOfAnotherOpen() {
    int a = backings.acquire(10, 5, 100);
    assertThat(backings.acquire(11, 5, -1)).isEqualTo(a);
  }

  @Test
  void refusal_isMinusErrno_andNothingIsKept() {
    refuseWith = 40; // ELOOP: the backing file is stacked too deep
    assertThat(backings.acquire(10, 5, 100)).isEqualTo(-40);
    assertThat(backings.size()).isZero();
    backings.release(10);
    assertThat(closed).isEmpty();
  }

  @Test
  void releaseOfUnknownHandle_isIgnored() {
    backings.release(99);
    assertThat(closed).isEmpty();
  }
}
