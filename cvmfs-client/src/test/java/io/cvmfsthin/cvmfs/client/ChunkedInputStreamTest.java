package io.cvmfsthin.cvmfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.FileChunk;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkedInputStreamTest {
  static List<FileChunk> chunks(int n) {
    List<FileChunk> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new FileChunk(i * 10L, 10, HashAlgorithm.SHA1.hash(new byte[] {(byte) i})));
    }
    return out;
  }

  @Test
  void reading_asksForTheNextChunksAhead_eachOnce_andOpensEachInOrder() throws Exception {
    List<FileChunk> chunks = chunks(10);
    List<Integer> opened = new ArrayList<>();
    List<Integer> ahead = new ArrayList<>();
    try (InputStream in =
        new ChunkedInputStream(
            chunks,
            c -> {
              int i = chunks.indexOf(c);
              opened.add(i);
              assertThat(ahead)
                  .as("chunk %d is asked for ahead before it is opened", i)
                  .containsAll(i == 0 ? List.of() : List.of(i));
              return new ByteArrayInputStream(new byte[10]);
            },
            c -> ahead.add(chunks.indexOf(c)),
            3)) {
      assertThat(in.readAllBytes()).hasSize(100);
    }
    assertThat(opened).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(ahead).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void withoutReadahead_nothingIsAskedForAhead() throws Exception {
    List<Integer> ahead = new ArrayList<>();
    try (InputStream in =
        new ChunkedInputStream(
            chunks(4), c -> new ByteArrayInputStream(new byte[10]), c -> ahead.add(1), 0)) {
      assertThat(in.readAllBytes()).hasSize(40);
    }
    assertThat(ahead).isEmpty();
  }
}
