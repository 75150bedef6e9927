package io.cvmfsthin.thinimage.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.cvmfsthin.thinimage.image.ContainerConfig;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "User",
  "ExposedPorts",
  "Env",
  "Entrypoint",
  "Cmd",
  "Volumes",
  "WorkingDir",
  "Labels",
  "StopSignal",
  "ArgsEscaped",
  "Healthcheck",
  "OnBuild",
  "Shell"
})
record ContainerConfigJson(
    @JsonProperty("User") String user,
    @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
    @JsonProperty("Env") List<String> env,
    @JsonProperty("Entrypoint") List<String> entrypoint,
    @JsonProperty("Cmd") List<String> cmd,
    @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
    @JsonProperty("WorkingDir") String workingDir,
    @JsonProperty("Labels") Map<String, String> labels,
    @JsonProperty("StopSignal") String stopSignal,
    @JsonProperty("ArgsEscaped") Boolean argsEscaped,
    @JsonProperty("Healthcheck") HealthcheckJson healthcheck,
    @JsonProperty("OnBuild") List<String> onBuild,
    @JsonProperty("Shell") List<String> shell) {

  ContainerConfig toConfig() {
    return new ContainerConfig(
        emptyToNull(user),
        exposedPorts == null ? null : new TreeSet<>(exposedPorts.keySet()),
        env,
        entrypoint,
        cmd,
        volumes == null ? null : new TreeSet<>(volumes.keySet()),
        emptyToNull(workingDir),
        labels == null ? null : new TreeMap<>(labels),
        emptyToNull(stopSignal),
        argsEscaped,
        healthcheck == null ? null : healthcheck.toHealthcheck(),
        onBuild,
        shell);
  }

  static ContainerConfigJson of(ContainerConfig c) {
    return new ContainerConfigJson(
        c.user(),
        emptyObjects(c.exposedPorts()),
        c.env(),
        c.entrypoint(),
        c.cmd(),
        emptyObjects(c.volumes()),
        c.workingDir(),
        c.labels(),
        c.stopSignal(),
        c.argsEscaped(),
        HealthcheckJson.of(c.healthcheck()),
        c.onBuild(),
        c.shell());
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static SortedMap<String, Map<String, Object>> emptyObjects(java.util.Set<String> keys) {
    if (keys == null) {
      return null;
    }
    SortedMap<String, Map<String, Object>> map = new TreeMap<>();
    keys.forEach(k -> map.put(k, Map.of()));
    return map;
  }
}
