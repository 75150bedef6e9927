package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.thinimage.convert.ConvertListener;
import io.cvmfsthin.thinimage.convert.ConvertOptions;
import io.cvmfsthin.thinimage.convert.ConvertResult;
import io.cvmfsthin.thinimage.convert.Converter;
import io.cvmfsthin.thinimage.convert.CvmfsLayerRepository;
import io.cvmfsthin.thinimage.convert.DockerArchiveSource;
import io.cvmfsthin.thinimage.convert.ImageSource;
import io.cvmfsthin.thinimage.convert.OciLayoutSource;
import io.cvmfsthin.thinimage.convert.RegistrySource;
import io.cvmfsthin.thinimage.convert.SourceImage;
import io.cvmfsthin.thinimage.image.Platform;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.registry.DockerConfig;
import io.cvmfsthin.thinimage.registry.RegistryClient;
import io.cvmfsthin.thinimage.registry.RetryPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code convert SOURCE [TARGET] --storage DIR --keys DIR --fqrn FQRN}: publishes an image's layers
 * into a CernVM-FS repository (DUCC layout) and pushes a thin image that points at them.
 */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = {
      "Convert an image into CernVM-FS layers plus a thin image.",
      "SOURCE: a registry reference, a `docker save` tarball or an OCI layout directory.",
      "TARGET: where to push the thin image; default <registry>/<repository>_thin:<tag>."
    })
public final class ConvertCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "Image to convert.")
  String source;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "TARGET",
      description = "Thin image name to push.")
  String target;

  @Option(
      names = "--storage",
      required = true,
      paramLabel = "DIR",
      description = "Stratum 0 storage: the repository is DIR/<fqrn> (created if absent).")
  Path storage;

  @Option(
      names = "--keys",
      required = true,
      paramLabel = "DIR",
      description = "Repository keys (<fqrn>.pub/.crt/.key/.masterkey); made if absent.")
  Path keys;

  @Option(
      names = "--fqrn",
      required = true,
      paramLabel = "FQRN",
      description = "Repository name, e.g. unpacked.example.org.")
  String fqrn;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "Platform to take from a multi-platform image (default: this host's).")
  String platform;

  @Option(
      names = "--docker-config",
      paramLabel = "FILE",
      description =
          "Docker config.json with registry credentials (default: $DOCKER_CONFIG/config.json or"
              + " ~/.docker/config.json if present).")
  Path dockerConfig;

  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST",
      description = "Speak plain HTTP to this registry (repeatable); loopback always is.")
  List<String> insecureRegistries = new ArrayList<>();

  @Option(
      names = "--oci",
      description = "Push the thin image with an OCI manifest instead of Docker schema 2.")
  boolean oci;

  @Option(names = "--no-push", description = "Only fill the repository; push no thin image.")
  boolean noPush;

  @Option(
      names = "--oci-ref",
      paramLabel = "NAME",
      description = "For an OCI layout: the org.opencontainers.image.ref.name to convert.")
  String ociRef;

  @Override
  public Integer call() throws Exception {
    Platform wanted =
        platform != null
            ? Platform.parse(platform)
            : Platform.ofJvm(System.getProperty("os.name"), System.getProperty("os.arch"));
    RegistryClient registry =
        new RegistryClient(
            RegistryClient.newHttpClient(),
            credentials(),
            new HashSet<>(insecureRegistries),
            RetryPolicy.DEFAULT);
    ImageReference targetRef = target == null ? null : ImageReference.parse(target);
    PrintWriter err = spec.commandLine().getErr();
    ConvertListener progress =
        System.console() != null ? new TerminalProgress(err) : new LogProgress();
    ExecutorService contentPool = Pools.content("convert-content");
    ExecutorService syncPool = Pools.fsync();
    try (ImageSource src = source(registry, wanted)) {
      // the source first: an unreachable or unusable one must not leave a new repository behind
      SourceImage image = Converter.resolve(src);
      try (CvmfsLayerRepository repository =
          CvmfsLayerRepository.openOrCreate(
              storage, keys, fqrn, Clock.systemUTC(), contentPool, syncPool)) {
        ConvertResult result =
            new Converter(repository, registry, Clock.systemUTC(), progress)
                .convert(src, image, targetRef, new ConvertOptions(oci, !noPush));
        spec.commandLine().getOut().println(result.summaryLine());
        return 0;
      }
    } finally {
      contentPool.shutdownNow();
      syncPool.shutdownNow();
    }
  }

  private ImageSource source(RegistryClient registry, Platform wanted) throws IOException {
    Path path = Path.of(source);
    if (Files.isRegularFile(path)) {
      return new DockerArchiveSource(path);
    }
    if (Files.isDirectory(path)) {
      if (!OciLayoutSource.isLayout(path)) {
        throw new IOException(
            source + " is a directory but no OCI layout (oci-layout, index.json)");
      }
      return new OciLayoutSource(path, ociRef, wanted);
    }
    return new RegistrySource(registry, ImageReference.parse(source), wanted);
  }

  private DockerConfig credentials() throws IOException {
    if (dockerConfig != null) {
      return DockerConfig.read(dockerConfig);
    }
    String env = System.getenv("DOCKER_CONFIG");
    Path dflt =
        env != null
            ? Path.of(env, "config.json")
            : Path.of(System.getProperty("user.home"), ".docker", "config.json");
    return Files.isRegularFile(dflt) ? DockerConfig.read(dflt) : DockerConfig.EMPTY;
  }
}
