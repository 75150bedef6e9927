package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.thinimage.convert.Bytes;
import io.cvmfsthin.thinimage.convert.LayerCollection;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code layers gc}: converted layers of a repository that nothing references any more. */
@Command(
    name = "layers",
    mixinStandardHelpOptions = true,
    description = "Maintain the converted layers (.layers/) of a repository.",
    subcommands = {LayersCommand.Gc.class})
public final class LayersCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: gc");
  }

  @Command(
      name = "gc",
      mixinStandardHelpOptions = true,
      description = {
        "List (default) or remove (--delete) the .layers/<h2>/<hex>/ directories that no",
        ".metadata/.../manifest.json and no thin.json in the repository references and that",
        "are older than the grace period; removed in one new revision. Their objects are",
        "freed by the next `repo gc`. Layers without converter metadata (commits) are kept."
      })
  static final class Gc implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin RepoCommand.Locations at;

    @Option(
        names = "--grace-days",
        paramLabel = "D",
        defaultValue = "7",
        description = "Keep unreferenced layers younger than D days (default ${DEFAULT-VALUE}).")
    double graceDays;

    @Option(names = "--delete", description = "Remove them (default: only list them).")
    boolean delete;

    @Override
    public Integer call() throws Exception {
      if (!(graceDays >= 0) || graceDays > 100_000) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--grace-days must be a number of days >= 0, got " + graceDays);
      }
      LayerCollection.Result r =
          LayerCollection.run(
              at.storage,
              at.keys,
              at.fqrn,
              Duration.ofSeconds(Math.round(graceDays * 86_400)),
              delete,
              Clock.systemUTC());
      LayerCollection.Plan p = r.plan();
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "%s: scanned %d layers, %d manifest.json and %d thin.json: %d referenced, %d within"
              + " the grace period, %d without converter metadata (kept)%n",
          at.fqrn,
          p.remove().size() + p.referenced().size() + p.young().size() + p.notConverted().size(),
          p.manifests(),
          p.thinDescriptors(),
          p.referenced().size(),
          p.young().size(),
          p.notConverted().size());
      for (LayerCollection.Layer l : p.remove()) {
        out.printf(
            "%s %s (%s, last changed %s)%n",
            r.removed() ? "removed" : "would remove",
            l.path(),
            Bytes.human(l.sizeBytes()),
            Instant.ofEpochSecond(l.newestMtimeSeconds()));
      }
      out.printf(
          "%s: %s %d layers, %s%s%n",
          at.fqrn,
          r.removed() ? "removed" : "would remove",
          p.remove().size(),
          Bytes.human(p.removeBytes()),
          r.removed()
              ? " in revision " + r.revision() + "; `repo gc` frees their objects"
              : p.remove().isEmpty() ? "" : "; run again with --delete to remove them");
      return 0;
    }
  }
}
