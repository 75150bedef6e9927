package io.cvmfsthin.plugin;

import io.cvmfsthin.plugin.cli.CatCommand;
import io.cvmfsthin.plugin.cli.ConvertCommand;
import io.cvmfsthin.plugin.cli.LayersCommand;
import io.cvmfsthin.plugin.cli.LsCommand;
import io.cvmfsthin.plugin.cli.MountCommand;
import io.cvmfsthin.plugin.cli.PrefetchCommand;
import io.cvmfsthin.plugin.cli.PullCommand;
import io.cvmfsthin.plugin.cli.RepoCommand;
import io.cvmfsthin.plugin.cli.StatsCommand;
import io.cvmfsthin.plugin.cli.SuperviseCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one entry point: {@code java -jar plugin/target/cvmfs-thin.jar <command> ...}.
 *
 * <p>Composition root: the only place that reads configuration, creates executors and wires
 * implementations together. Exit status 0 on success; on bad input a one-line error on stderr and a
 * non-zero status, with the stack trace only under {@code --verbose}.
 */
@Command(
    name = "cvmfs-thin",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Lazy Docker images on CernVM-FS: repository tools, converter, graph-driver plugin.",
    subcommands = {
      RepoCommand.class,
      LsCommand.class,
      CatCommand.class,
      MountCommand.class,
      ConvertCommand.class,
      LayersCommand.class,
      PrefetchCommand.class,
      PullCommand.class,
      ServeCommand.class,
      SnapshotterCommand.class,
      StatsCommand.class,
      SuperviseCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean verbose;

  /** Whether {@code --verbose} was given: stack traces with errors, debug logging. */
  public boolean verbose() {
    return verbose;
  }

  public static void main(String[] args) {
    boolean plugin =
        args.length > 0
            && (args[0].equals("serve")
                || (args[0].equals("supervise") && java.util.List.of(args).contains("serve")));
    if (plugin && System.getProperty("LOG_TARGET") == null) {
      // dockerd files a plugin's stdout as info and its stderr as error: the daemon logs to stdout
      System.setProperty("LOG_TARGET", "System.out");
    }
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit status; used by tests too. */
  public static int run(String... args) {
    Main main = new Main();
    CommandLine cli = new CommandLine(main);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
          commandLine.getErr().println("error: " + message);
          if (main.verbose) {
            e.printStackTrace(commandLine.getErr());
          }
          return 1;
        });
    cli.setParameterExceptionHandler(
        (e, params) -> {
          CommandLine c = e.getCommandLine();
          c.getErr()
              .println(
                  "error: "
                      + e.getMessage()
                      + " (see "
                      + c.getCommandSpec().qualifiedName()
                      + " --help)");
          return c.getCommandSpec().exitCodeOnInvalidInput();
        });
    return cli.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cvmfs-thin " + (v == null ? "dev" : v)};
    }
  }
}
