package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.plugin.Main;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ls --url URL --key PUBKEY FQRN PATH}: a long listing of a repository directory. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
      "List a directory of a CernVM-FS repository, long format:",
      "mode uid gid size mtime(UTC) name [-> target]. A file lists itself."
    })
public final class LsCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;
  @Mixin RepositoryOptions repository;

  @Parameters(index = "0", paramLabel = "FQRN", description = "Repository name.")
  String fqrn;

  @Parameters(
      index = "1",
      paramLabel = "PATH",
      defaultValue = "/",
      description = "Path in the repository (default: the root).")
  String path;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (RepositoryOptions.OpenRepository repo = repository.open(fqrn, main.verbose())) {
      DirectoryEntry e = repo.client().lookup(path);
      if (e.isDirectory()) {
        for (DirectoryEntry child : repo.client().list(path)) {
          out.println(LongListing.line(child, child.name()));
        }
      } else {
        out.println(LongListing.line(e, path));
      }
    }
    out.flush();
    return 0;
  }
}
