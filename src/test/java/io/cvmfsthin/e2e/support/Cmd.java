package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a time limit and captures its output. */
public final class Cmd {
  private Cmd() {}

  /** Exit status and output of a finished command. */
  public record Result(List<String> command, int exit, String stdout, String stderr) {
    public Result orThrow() {
      if (exit != 0) {
        throw new IllegalStateException(
            String.join(" ", command)
                + " exited "
                + exit
                + ": "
                + stderr.strip()
                + " "
                + stdout.strip());
      }
      return this;
    }
  }

  public static Result run(
      List<String> command,
      Map<String, String> env,
      Path dir,
      InputStream stdin,
      Duration timeout) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    try {
      Process p = pb.start();
      CompletableFuture<String> out = drain(p.getInputStream());
      CompletableFuture<String> err = drain(p.getErrorStream());
      if (stdin != null) {
        try (var os = p.getOutputStream()) {
          stdin.transferTo(os);
        } catch (IOException brokenPipe) {
          // the command stopped reading; its exit status tells
        }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  public static Result run(String... command) {
    return run(List.of(command), Map.of(), null, null, Duration.ofMinutes(5));
  }

  public static List<String> list(String first, String... rest) {
    List<String> l = new ArrayList<>();
    l.add(first);
    l.addAll(List.of(rest));
    return l;
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        });
  }
}
