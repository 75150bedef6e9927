package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.plugin.Main;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code cat --url URL --key PUBKEY FQRN PATH}: a file's verified bytes to stdout. */
@Command(
    name = "cat",
    mixinStandardHelpOptions = true,
    description = "Write a file of a CernVM-FS repository to stdout, verified.")
public final class CatCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin RepositoryOptions repository;

  @Parameters(index = "0", paramLabel = "FQRN", description = "Repository name.")
  String fqrn;

  @Parameters(index = "1", paramLabel = "PATH", description = "File in the repository.")
  String path;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    try (RepositoryOptions.OpenRepository repo = repository.open(fqrn, main.verbose());
        InputStream in = repo.client().open(path)) {
      in.transferTo(out);
    }
    out.flush();
    if (out.checkError()) {
      throw new java.io.IOException("writing to stdout failed");
    }
    return 0;
  }
}
