package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.publish.ChunkingPolicy;
import io.cvmfsthin.cvmfs.publish.GarbageCollection;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.PublishResult;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import io.cvmfsthin.thinimage.convert.Bytes;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code repo create|publish|resign|gc}: the publisher side of CernVM-FS on a stratum-0 directory
 * ({@code <storage>/<fqrn>/}, served by any static web server at {@code /cvmfs/}).
 */
@Command(
    name = "repo",
    mixinStandardHelpOptions = true,
    description = "Create, publish to and re-sign CernVM-FS repositories (stratum 0).",
    subcommands = {
      RepoCommand.Create.class,
      RepoCommand.Publish.class,
      RepoCommand.Resign.class,
      RepoCommand.Gc.class
    })
public final class RepoCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand: create, publish, resign or gc");
  }

  /** Options every subcommand takes. */
  static final class Locations {
    @Option(
        names = "--storage",
        required = true,
        paramLabel = "DIR",
        description = "Stratum directory; the repository lives in DIR/<fqrn>/.")
    Path storage;

    @Option(
        names = "--keys",
        required = true,
        paramLabel = "DIR",
        description = "Keys directory: <fqrn>.masterkey, .pub, .key, .crt.")
    Path keys;

    @Parameters(
        index = "0",
        paramLabel = "FQRN",
        description = "Repository name, e.g. demo.example.org.")
    String fqrn;
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a repository at revision 0 (an empty root directory) with fresh keys,",
        "or with the keys already in the keys directory if all four files are there.",
        "Clients need <keys>/<fqrn>.pub."
      })
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Locations at;

    @Option(
        names = "--whitelist-days",
        defaultValue = "30",
        description = "Whitelist validity in days (default ${DEFAULT-VALUE}).")
    int whitelistDays;

    @Option(
        names = "--hash-algorithm",
        defaultValue = "sha1",
        description = "sha1, rmd160 or shake128 (default ${DEFAULT-VALUE}).")
    String hashAlgorithm;

    @Option(
        names = "--compression",
        defaultValue = "zlib",
        description = "File objects: zlib or none (default ${DEFAULT-VALUE}).")
    String compression;

    @Option(
        names = "--ttl",
        defaultValue = "240",
        description = "Seconds between client update checks (default ${DEFAULT-VALUE}).")
    long ttlSeconds;

    @Option(
        names = "--chunk-sizes",
        paramLabel = "MIN,AVG,MAX",
        description = "Chunk sizes in bytes (default 4194304,8388608,16777216).")
    String chunkSizes;

    @Option(names = "--no-chunking", description = "Store every file as one object.")
    boolean noChunking;

    @Override
    public Integer call() throws Exception {
      ChunkingPolicy chunking = ChunkingPolicy.DEFAULT;
      if (chunkSizes != null) {
        String[] s = chunkSizes.split(",");
        if (s.length != 3) {
          throw new IllegalArgumentException(
              "--chunk-sizes wants MIN,AVG,MAX in bytes, got '" + chunkSizes + "'");
        }
        chunking =
            ChunkingPolicy.of(
                Integer.parseInt(s[0].trim()),
                Integer.parseInt(s[1].trim()),
                Integer.parseInt(s[2].trim()));
      }
      if (noChunking) {
        chunking =
            new ChunkingPolicy(
                false, chunking.minBytes(), chunking.avgBytes(), chunking.maxBytes());
      }
      RepositorySettings settings =
          new RepositorySettings(
              HashAlgorithm.fromConfigName(hashAlgorithm),
              Compression.fromConfigName(compression),
              ttlSeconds,
              chunking);
      RepositoryPublisher p =
          RepositoryPublisher.create(
              at.storage, at.keys, at.fqrn, settings, whitelistDays, Clock.systemUTC());
      spec.commandLine()
          .getOut()
          .printf(
              "created %s in %s (revision 0); clients trust %s%n",
              at.fqrn, p.repositoryDirectory(), at.keys.resolve(at.fqrn + ".pub"));
      return 0;
    }
  }

  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description = {
        "Publish a directory, a tar file or a tar on stdin (-) as one new revision,",
        "replacing what is at --at. Directories holding a .cvmfscatalog file become nested",
        "catalogs. Tar input may be gzip-compressed."
      })
  static final class Publish implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Locations at;

    @Parameters(
        index = "1",
        paramLabel = "SOURCE",
        description = "A directory, a .tar file, or - for a tar stream on stdin.")
    String source;

    @Option(
        names = "--at",
        defaultValue = "/",
        paramLabel = "PATH",
        description = "Repository path to replace (default ${DEFAULT-VALUE}).")
    String path;

    @Option(names = "--nested-catalog", description = "Make PATH a nested catalog.")
    boolean nested;

    @Option(
        names = "--if-absent",
        description = "Publish only if PATH does not exist yet (no new revision otherwise).")
    boolean ifAbsent;

    @Override
    public Integer call() throws Exception {
      ExecutorService pool = Pools.content("publish-content");
      ExecutorService syncPool = Pools.fsync();
      try {
        PublishResult r =
            publish(
                RepositoryPublisher.open(at.storage, at.keys, at.fqrn)
                    .withExecutor(pool)
                    .withSyncExecutor(syncPool));
        spec.commandLine()
            .getOut()
            .printf(
                r.changed()
                    ? "published %s revision %d at %s (%d new objects)%n"
                    : "%s: %3$s exists already; revision %2$d unchanged%n",
                at.fqrn,
                r.revision(),
                path,
                r.newObjects());
        return 0;
      } finally {
        pool.shutdownNow();
        syncPool.shutdownNow();
      }
    }

    private PublishResult publish(RepositoryPublisher p) throws Exception {
      Publication.Mode mode = ifAbsent ? Publication.Mode.ADD_IF_ABSENT : Publication.Mode.REPLACE;
      if (source.equals("-")) {
        return p.publish(publication(Publication.tar(path, System.in), mode));
      }
      Path src = Path.of(source);
      if (Files.isDirectory(src)) {
        return p.publish(publication(Publication.directory(path, src), mode));
      }
      if (!Files.isRegularFile(src)) {
        throw new NoSuchFileException(source, null, "no such directory or tar file");
      }
      try (InputStream in = Files.newInputStream(src)) {
        return p.publish(publication(Publication.tar(path, in), mode));
      }
    }

    private Publication publication(Publication p, Publication.Mode mode) {
      return p.withMode(mode).withNestedCatalog(nested);
    }
  }

  @Command(
      name = "resign",
      mixinStandardHelpOptions = true,
      description = "Renew the whitelist with the master key (<keys>/<fqrn>.masterkey).")
  static final class Resign implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Locations at;

    @Option(
        names = "--days",
        defaultValue = "30",
        description = "Validity in days (default ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      RepositoryPublisher.open(at.storage, at.keys, at.fqrn).resign(days);
      spec.commandLine()
          .getOut()
          .printf("re-signed the whitelist of %s for %d days%n", at.fqrn, days);
      return 0;
    }
  }

  @Command(
      name = "gc",
      mixinStandardHelpOptions = true,
      description = {
        "Delete the objects that no retained revision references, as cvmfs_server gc does.",
        "Retained: the newest N revisions (--keep-revisions) or those published in the last D",
        "days (--keep-days, default 3), plus every named tag (trunk, trunk-previous and others).",
        "Publishes wait while it runs; a run stopped halfway is finished by the next."
      })
  static final class Gc implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Locations at;

    @Option(
        names = "--keep-revisions",
        paramLabel = "N",
        description = "Keep the newest N revisions (at least 1).")
    Integer keepRevisions;

    @Option(
        names = "--keep-days",
        paramLabel = "D",
        description = "Keep the revisions published in the last D days (default 3).")
    Double keepDays;

    @Option(names = "--dry-run", description = "Delete nothing; report what would be deleted.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      GarbageCollection.Retention retention = retention();
      RepositoryPublisher publisher = RepositoryPublisher.open(at.storage, at.keys, at.fqrn);
      PrintWriter out = spec.commandLine().getOut();
      GarbageCollection.Result r =
          publisher.collectGarbage(
              retention,
              dryRun,
              new GarbageCollection.Listener() {
                @Override
                public void marked(GarbageCollection.Marked m) {
                  out.printf(
                      "%s: marked %d objects in %d catalogs of %d revisions %s (tags: %s)%s%n",
                      at.fqrn,
                      m.referencedObjects(),
                      m.catalogs(),
                      m.revisions().size(),
                      m.revisions(),
                      String.join(", ", m.tags()),
                      m.missing() > 0 ? "; " + m.missing() + " referenced objects missing" : "");
                  out.flush();
                }

                @Override
                public void swept(GarbageCollection.Swept s) {
                  out.printf(
                      "%s: scanned %d objects (%s), %s %d (%s)%n",
                      at.fqrn,
                      s.scannedObjects(),
                      Bytes.human(s.scannedBytes()),
                      s.dryRun() ? "would delete" : "deleted",
                      s.deletedObjects(),
                      Bytes.human(s.deletedBytes()));
                  out.flush();
                }
              });
      if (r.reflogEntriesRemoved() > 0) {
        out.printf(
            "%s: dropped %d reflog entries of deleted objects; manifest re-signed (revision %d"
                + " unchanged)%n",
            at.fqrn, r.reflogEntriesRemoved(), publisher.manifest().revision());
      }
      return 0;
    }

    private GarbageCollection.Retention retention() {
      if (keepRevisions != null && keepDays != null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "give --keep-revisions or --keep-days, not both");
      }
      if (keepRevisions != null) {
        if (keepRevisions < 1) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--keep-revisions must be at least 1, got " + keepRevisions);
        }
        return GarbageCollection.Retention.revisions(keepRevisions);
      }
      double days = keepDays == null ? 3 : keepDays;
      if (!(days >= 0) || days > 100_000) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--keep-days must be a number of days >= 0, got " + keepDays);
      }
      return GarbageCollection.Retention.age(Duration.ofSeconds(Math.round(days * 86_400)));
    }
  }
}
