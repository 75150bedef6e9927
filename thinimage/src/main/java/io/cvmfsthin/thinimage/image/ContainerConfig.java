package io.cvmfsthin.thinimage.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The runtime part of an image config ({@code config} in the JSON). A {@code null} field was absent
 * in the source and stays absent when written; lists keep their order; maps and sets are sorted so
 * that writing is deterministic.
 */
public record ContainerConfig(
    String user,
    SortedSet<String> exposedPorts,
    List<String> env,
    List<String> entrypoint,
    List<String> cmd,
    SortedSet<String> volumes,
    String workingDir,
    SortedMap<String, String> labels,
    String stopSignal,
    Boolean argsEscaped,
    Healthcheck healthcheck,
    List<String> onBuild,
    List<String> shell) {

  public static final ContainerConfig EMPTY =
      new ContainerConfig(
          null, null, null, null, null, null, null, null, null, null, null, null, null);

  public ContainerConfig {
    exposedPorts =
        exposedPorts == null
            ? null
            : Collections.unmodifiableSortedSet(new TreeSet<>(exposedPorts));
    env = copy(env);
    entrypoint = copy(entrypoint);
    cmd = copy(cmd);
    volumes = volumes == null ? null : Collections.unmodifiableSortedSet(new TreeSet<>(volumes));
    labels = labels == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    onBuild = copy(onBuild);
    shell = copy(shell);
  }

  private static List<String> copy(List<String> list) {
    return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
  }

  /** This config with {@code entry} ({@code KEY=value}) appended to Env unless KEY is set. */
  public ContainerConfig withEnvDefault(String entry) {
    String key = entry.substring(0, entry.indexOf('=') + 1);
    List<String> newEnv = env == null ? new ArrayList<>() : new ArrayList<>(env);
    if (newEnv.stream().noneMatch(e -> e.startsWith(key))) {
      newEnv.add(entry);
    }
    return new ContainerConfig(
        user,
        exposedPorts,
        newEnv,
        entrypoint,
        cmd,
        volumes,
        workingDir,
        labels,
        stopSignal,
        argsEscaped,
        healthcheck,
        onBuild,
        shell);
  }

  /** This config with {@code extra} labels added (replacing equal keys). */
  public ContainerConfig withLabels(SortedMap<String, String> extra) {
    SortedMap<String, String> newLabels = labels == null ? new TreeMap<>() : new TreeMap<>(labels);
    newLabels.putAll(extra);
    return new ContainerConfig(
        user,
        exposedPorts,
        env,
        entrypoint,
        cmd,
        volumes,
        workingDir,
        newLabels,
        stopSignal,
        argsEscaped,
        healthcheck,
        onBuild,
        shell);
  }
}
