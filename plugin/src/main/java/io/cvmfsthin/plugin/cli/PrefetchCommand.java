package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.cvmfs.prefetch.ChainKey;
import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.cvmfs.prefetch.PrefetchPublication;
import io.cvmfsthin.cvmfs.publish.PublishResult;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code prefetch publish}: puts a recorded prefetch list (a plugin's {@code
 * <state>/prefetch/<chain key>}) into a repository at {@code /.prefetch/<h2>/<chain key>/list},
 * where the plugins of other hosts look for it when a container of that image starts.
 */
@Command(
    name = "prefetch",
    mixinStandardHelpOptions = true,
    description = "Recorded prefetch lists of thin images.",
    subcommands = {PrefetchCommand.Publish.class})
public final class PrefetchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: publish");
  }

  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description = {
        "Publish a prefetch list into the repository at /.prefetch/<h2>/<key>/list as one new",
        "revision, replacing the list published before for the same image."
      })
  static final class Publish implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin RepoCommand.Locations at;

    @Parameters(
        index = "1",
        paramLabel = "LISTFILE",
        description = "The list, e.g. a plugin's <state>/prefetch/<chain key>.")
    Path listFile;

    @Option(
        names = "--chain",
        paramLabel = "KEY",
        description = "The image's chain key (64 hex digits); default: LISTFILE's name.")
    String chain;

    @Override
    public Integer call() throws Exception {
      String key = chain != null ? chain : listFile.getFileName().toString();
      if (!ChainKey.isKey(key)) {
        throw new IllegalArgumentException(
            "chain key '"
                + key
                + "' is not 64 lower-case hex digits (name the list after its key or give"
                + " --chain)");
      }
      PrefetchList.Read read;
      try (InputStream in = Files.newInputStream(listFile)) {
        read = PrefetchList.read(in, listFile.toString());
      }
      if (read.truncated() || read.skippedLines() > 0) {
        spec.commandLine()
            .getErr()
            .printf(
                "warning: %s: %d lines skipped%s%n",
                listFile,
                read.skippedLines(),
                read.truncated()
                    ? ", entries after " + PrefetchList.MAX_ENTRIES + " left out"
                    : "");
      }
      PublishResult r =
          PrefetchPublication.publish(
              RepositoryPublisher.open(at.storage, at.keys, at.fqrn), key, read.list());
      spec.commandLine()
          .getOut()
          .printf(
              "published %d entries at %s:%s in revision %d%n",
              read.list().paths().size(), at.fqrn, PrefetchList.repositoryPath(key), r.revision());
      return 0;
    }
  }
}
