package io.cvmfsthin.cvmfs.publish;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child JVM that publishes one tar, for the crash and multi-process tests: {@code storage keys
 * fqrn at tar halt-stage|none}. Halting (as {@code kill -9} would) skips every finally block.
 */
public final class PublishChild {
  private PublishChild() {}

  public static void main(String[] args) throws Exception {
    RepositoryPublisher p = RepositoryPublisher.open(Path.of(args[0]), Path.of(args[1]), args[2]);
    String halt = args[5];
    if (!halt.equals("none")) {
      p =
          p.withHook(
              s -> {
                if (s.name().equals(halt)) {
                  Runtime.getRuntime().halt(137);
                }
              });
    }
    try (InputStream in = Files.newInputStream(Path.of(args[4]))) {
      System.out.println("revision " + p.publish(Publication.tar(args[3], in)).revision());
    }
  }
}
