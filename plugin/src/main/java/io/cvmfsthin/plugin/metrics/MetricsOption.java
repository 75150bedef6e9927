package io.cvmfsthin.plugin.metrics;

import picocli.CommandLine.Option;

/** {@code --metrics-address}, shared by the commands that serve (a picocli mixin). */
public final class MetricsOption {
  @Option(
      names = "--metrics-address",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:METRICS_ADDRESS:-}",
      description =
          "Serve Prometheus metrics at http://HOST:PORT/metrics, a loopback address only (for"
              + " example "
              + MetricsAddress.DEFAULT
              + "); default $METRICS_ADDRESS, empty: no endpoint.")
  String address;

  /** Starts the endpoint if an address is set. */
  public Metrics start() throws java.io.IOException {
    return Metrics.start(address, "--metrics-address (METRICS_ADDRESS)");
  }
}
