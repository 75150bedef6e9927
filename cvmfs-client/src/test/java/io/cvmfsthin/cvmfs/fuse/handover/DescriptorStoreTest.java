package io.cvmfsthin.cvmfs.fuse.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Descriptors through a real Unix socket (SCM_RIGHTS): no root, no FUSE needed. */
class DescriptorStoreTest {

  @Test
  void aDescriptorPut_isTakenBackByAnotherClient_andStillReadsTheSameFile(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "kept across workers");
    try (DescriptorStore store = DescriptorStore.listen(dir.resolve("s.sock"))) {
      int fd = openFd(file);
      try (SupervisorClient first = SupervisorClient.connect(store.socketPath())) {
        first.put("/mnt/a", "repo.example.org", new int[] {fd});
      }
      UnixSocket.close(fd); // the first worker is gone; only the store holds it
      try (SupervisorClient second = SupervisorClient.connect(store.socketPath())) {
        assertThat(second.list()).isEqualTo(Map.of("/mnt/a", "repo.example.org"));
        SupervisorClient.Descriptors d = second.take("/mnt/a");
        assertThat(d.description()).isEqualTo("repo.example.org");
        assertThat(d.fds()).hasSize(1);
        assertThat(Files.readString(Path.of("/proc/self/fd/" + d.fds()[0])))
            .isEqualTo("kept across workers");
        d.close();
        second.drop("/mnt/a");
        assertThat(second.take("/mnt/a")).isNull();
        assertThat(store.names()).isEmpty();
      }
    }
    assertThat(dir.resolve("s.sock")).doesNotExist();
  }

  @Test
  void aNameWithANewline_isRefused(@TempDir Path dir) throws Exception {
    try (DescriptorStore store = DescriptorStore.listen(dir.resolve("s.sock"));
        SupervisorClient c = SupervisorClient.connect(store.socketPath())) {
      assertThatThrownBy(() -> c.take("/mnt/a\nb"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("mount name");
    }
  }

  @Test
  void connect_toNoSupervisor_namesTheSocket(@TempDir Path dir) {
    assertThatThrownBy(() -> SupervisorClient.connect(dir.resolve("none.sock")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("none.sock");
  }

  /** open(2), for a plain descriptor to pass. */
  public interface LibC {
    int open(String path, int flags);
  }

  private static int openFd(Path file) throws IOException {
    int fd = jnr.ffi.LibraryLoader.create(LibC.class).load("c").open(file.toString(), 0);
    if (fd < 0) {
      throw new IOException("open " + file);
    }
    return fd;
  }
}
