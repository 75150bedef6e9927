package io.cvmfsthin.cvmfs.publish;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child JVM that publishes one tar, for the crash and multi-process tests: {@code storage keys
 * fqrn at tar halt}. {@code at} may list several paths ({@code /a,/b}): the tar is then published
 * at each, in one transaction. {@code halt} is {@code none}, a stage, or {@code STAGE#n} to halt at
 * the stage's n-th reach. Halting (as {@code kill -9} would) skips every finally block.
 */
public final class PublishChild {
  private PublishChild() {}

  public static void main(String[] args) throws Exception {
    RepositoryPublisher p = RepositoryPublisher.open(Path.of(args[0]), Path.of(args[1]), args[2]);
    String halt = args[5];
    if (!halt.equals("none")) {
      String stage = halt.split("#")[0];
      int nth = halt.contains("#") ? Integer.parseInt(halt.split("#")[1]) : 1;
      int[] reached = new int[1];
      p =
          p.withHook(
              s -> {
                if (s.name().equals(stage) && ++reached[0] == nth) {
                  Runtime.getRuntime().halt(137);
                }
              });
    }
    Path tar = Path.of(args[4]);
    PublishResult result =
        p.transaction(
            t -> {
              for (String at : args[3].split(",")) {
                try (InputStream in = Files.newInputStream(tar)) {
                  t.apply(Publication.tar(at, in));
                }
              }
            });
    System.out.println("revision " + result.revision());
  }
}
