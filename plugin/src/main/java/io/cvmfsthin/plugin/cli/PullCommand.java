package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.plugin.cri.CriImageClient;
import io.cvmfsthin.plugin.cri.RegistryAuth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pull}: pulls an image through containerd's CRI image service, as kubelet does, so that
 * containerd hands the snapshotter each layer's digest and the image's reference as labels; prints
 * the runtime's reference to the image (its ID).
 */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = {
      "Pull an image through containerd's CRI image service (PullImage), as kubelet",
      "does: containerd labels each layer's snapshot with the layer's digest and the",
      "image reference, so a remote snapshotter (cvmfs-thin snapshotter) can take the",
      "layer from CVMFS instead of downloading it. For hosts whose puller sends no such",
      "labels (containerd 1.6's ctr image pull). The image lands in containerd's",
      "namespace k8s.io. Prints the image's ID."
    })
public final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "IMAGE",
      description = "Image reference, e.g. registry.example.org/app:1")
  String image;

  @Option(
      names = "--containerd-socket",
      paramLabel = "SOCK",
      defaultValue = "/run/containerd/containerd.sock",
      description = "containerd's gRPC socket (default: ${DEFAULT-VALUE}).")
  Path socket;

  @Option(
      names = "--auth",
      paramLabel = "USER:PASSWORD",
      description =
          "Registry credentials sent with the pull (visible in the process list; prefer"
              + " containerd's registry configuration on shared hosts).")
  String auth;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "PT30M",
      description = "Give up after this long, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    Optional<RegistryAuth> credentials =
        auth == null ? Optional.empty() : Optional.of(RegistryAuth.parse(auth));
    try (CriImageClient client = CriImageClient.connect(socket, timeout)) {
      spec.commandLine().getOut().println(client.pull(image, credentials));
    }
    return 0;
  }
}
