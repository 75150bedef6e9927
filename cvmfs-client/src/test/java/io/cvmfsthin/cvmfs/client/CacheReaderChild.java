package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * A child JVM that reads every file of a repository again and again into a cache, for the kill -9
 * test: {@code url keyFile cacheDir fqrn}. It never closes the client: it is killed.
 */
public final class CacheReaderChild {
  private CacheReaderChild() {}

  public static void main(String[] args) throws Exception {
    RepositoryClient c =
        RepositoryClient.open(
            ClientSettings.builder(args[3])
                .serverUrls(args[0])
                .masterKeys(Path.of(args[1]))
                .cacheDir(Path.of(args[2]))
                .build());
    for (int round = 0; ; round++) {
      for (DirectoryEntry e : c.list("/many")) {
        try (InputStream in = c.open(e.path())) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
      try (InputStream in = c.open("/big.bin")) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      System.out.println("round " + round + " read");
    }
  }
}
