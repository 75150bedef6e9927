package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.plugin.metrics.MetricsAddress;
import io.cvmfsthin.plugin.metrics.MetricsText;
import io.cvmfsthin.plugin.metrics.StatsTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stats}: reads the {@code /metrics} endpoint of a running plugin, snapshotter or mount and
 * prints it as tables ({@link StatsTable}).
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description =
        "Show the metrics of a running plugin, snapshotter or mount (its --metrics-address /"
            + " METRICS_ADDRESS) as tables.")
public final class StatsCommand implements Callable<Integer> {
  @Option(
      names = "--address",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:METRICS_ADDRESS:-" + MetricsAddress.DEFAULT + "}",
      description = "The metrics endpoint (default: $METRICS_ADDRESS, else ${DEFAULT-VALUE}).")
  String address;

  @Option(names = "--raw", description = "Print the endpoint's text as it is.")
  boolean raw;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    MetricsAddress a = MetricsAddress.parse(address, "--address");
    String text = fetch(a);
    PrintWriter out = spec.commandLine().getOut();
    if (raw) {
      out.print(text);
    } else {
      out.println("cvmfs-thin metrics at http://" + a + "/metrics");
      out.println();
      out.print(StatsTable.render(MetricsText.parse(text)));
    }
    out.flush();
    return 0;
  }

  /** GET http://address/metrics; an error names the address and what to start there. */
  static String fetch(MetricsAddress a) throws IOException {
    String url = "http://" + a + "/metrics";
    HttpURLConnection c =
        (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
    c.setConnectTimeout(5000);
    c.setReadTimeout(10000);
    try {
      int status = c.getResponseCode();
      if (status != 200) {
        throw new IOException(url + " answered HTTP " + status + ": not a cvmfs-thin endpoint?");
      }
      try (InputStream in = c.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (ConnectException e) {
      throw new IOException(
          "nothing listens at "
              + a
              + ": start the plugin with METRICS_ADDRESS="
              + a
              + " (docker plugin set), or serve, snapshotter or mount with --metrics-address "
              + a,
          e);
    } catch (SocketTimeoutException e) {
      throw new IOException(url + ": no answer within the timeout", e);
    } finally {
      c.disconnect();
    }
  }
}
