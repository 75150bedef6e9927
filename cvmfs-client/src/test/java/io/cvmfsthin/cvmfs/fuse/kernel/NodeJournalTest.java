package io.cvmfsthin.cvmfs.fuse.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeJournalTest {
  private static final Requests.Backing NO_DEVICE =
      new Requests.Backing() {
        @Override
        public int open(int fd) {
          return 7;
        }

        @Override
        public void close(int backingId) {}
      };

  @Test
  void resume_givesTheSameIdsForTheSamePathsAndContent(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("nodes");
    long a;
    long b;
    try (NodeJournal j = NodeJournal.create(file)) {
      NodeTable nodes = new NodeTable(j);
      a = nodes.lookedUp("/a", "h1");
      b = nodes.lookedUp("/dir/b", "h2");
      long gone = nodes.lookedUp("/gone", "h3");
      nodes.forget(gone, 1);
      j.initialized(0x42);
    }
    try (NodeJournal j = NodeJournal.resume(file)) {
      assertThat(j.state().generation()).isEqualTo(2);
      assertThat(j.state().initFlags()).isEqualTo(0x42);
      NodeTable nodes = new NodeTable(j);
      assertThat(nodes.path(a)).isEqualTo("/a");
      assertThat(nodes.path(b)).isEqualTo("/dir/b");
      assertThat(nodes.lookedUp("/a", "h1")).isEqualTo(a);
      assertThat(nodes.lookedUp("/a", "other content")).isNotIn(a, b);
      assertThat(nodes.size()).isEqualTo(4); // root, a, b and a's new content
    }
  }

  @Test
  void restoredNodes_areNotDroppedByForgetsOfThePredecessorsLookups(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("nodes");
    long a;
    try (NodeJournal j = NodeJournal.create(file)) {
      a = new NodeTable(j).lookedUp("/a", "h1");
    }
    try (NodeJournal j = NodeJournal.resume(file)) {
      NodeTable nodes = new NodeTable(j);
      nodes.forget(a, 1_000_000);
      assertThat(nodes.path(a)).isEqualTo("/a");
    }
  }

  @Test
  void backingIds_surviveAndAreSharedByNewOpensOfTheNode(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("nodes");
    try (NodeJournal j = NodeJournal.create(file)) {
      BackingFiles backings = new BackingFiles(NO_DEVICE, j);
      assertThat(backings.acquire(100, 5, 3)).isEqualTo(7);
    }
    try (NodeJournal j = NodeJournal.resume(file)) {
      assertThat(j.state().backings()).isEqualTo(Map.of(5L, 7));
      BackingFiles backings = new BackingFiles(badDevice(), j);
      assertThat(backings.acquire(200, 5, 4)).isEqualTo(7);
      backings.release(200);
      assertThat(backings.size()).isEqualTo(1); // the predecessor's opens still hold it
    }
  }

  @Test
  void aTornLastRecord_isIgnored(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("nodes");
    long a;
    try (NodeJournal j = NodeJournal.create(file)) {
      a = new NodeTable(j).lookedUp("/a", "h1");
    }
    Files.write(file, new byte[] {'N', 0, 0, 0, 40, 1, 2}, StandardOpenOption.APPEND);
    try (NodeJournal j = NodeJournal.resume(file)) {
      assertThat(new NodeTable(j).path(a)).isEqualTo("/a");
    }
  }

  @Test
  void create_discardsWhatAPredecessorLeft(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("nodes");
    try (NodeJournal j = NodeJournal.create(file)) {
      new NodeTable(j).lookedUp("/a", "h1");
    }
    try (NodeJournal j = NodeJournal.create(file)) {
      assertThat(j.state().generation()).isEqualTo(1);
      assertThat(new NodeTable(j).size()).isEqualTo(1);
    }
  }

  private static Requests.Backing badDevice() {
    return new Requests.Backing() {
      @Override
      public int open(int fd) {
        throw new AssertionError("the restored backing id is used, no new one registered");
      }

      @Override
      public void close(int backingId) {
        throw new AssertionError("a predecessor's backing id is never closed");
      }
    };
  }
}
