package io.cvmfsthin.plugin.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of the protocol, field names exactly as dockerd 20.10 sends and reads them
 * (PascalCase; id maps in lower snake case, spec §13.1 items 5-7). Absent fields arrive as null.
 */
final class WireJson {
  private WireJson() {}

  record InitRequestJson(
      @JsonProperty("Home") String home,
      @JsonProperty("Opts") List<String> opts,
      @JsonProperty("UIDMaps") List<IdMapJson> uidMaps,
      @JsonProperty("GIDMaps") List<IdMapJson> gidMaps) {}

  record IdMapJson(
      @JsonProperty("container_id") long containerId,
      @JsonProperty("host_id") long hostId,
      @JsonProperty("size") long size) {
    GraphDriverBackend.IdMap toIdMap() {
      return new GraphDriverBackend.IdMap(containerId, hostId, size);
    }
  }

  record CreateRequestJson(
      @JsonProperty("ID") String id,
      @JsonProperty("Parent") String parent,
      @JsonProperty("MountLabel") String mountLabel,
      @JsonProperty("StorageOpt") Map<String, String> storageOpt) {}

  record LayerRequestJson(
      @JsonProperty("ID") String id,
      @JsonProperty("Parent") String parent,
      @JsonProperty("MountLabel") String mountLabel) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ErrJson(@JsonProperty("Err") String err) {}

  record DirJson(@JsonProperty("Dir") String dir) {}

  record ExistsJson(@JsonProperty("Exists") boolean exists) {}

  record StatusJson(@JsonProperty("Status") List<List<String>> status) {}

  record MetadataJson(@JsonProperty("Metadata") Map<String, String> metadata) {}

  record ChangeJson(@JsonProperty("Path") String path, @JsonProperty("Kind") int kind) {}

  record ChangesJson(@JsonProperty("Changes") List<ChangeJson> changes) {}

  record SizeJson(@JsonProperty("Size") long size) {}

  record CapabilitiesJson(@JsonProperty("Capabilities") CapsJson capabilities) {}

  record CapsJson(@JsonProperty("ReproducesExactDiffs") boolean reproducesExactDiffs) {}

  record ImplementsJson(@JsonProperty("Implements") List<String> implementsList) {}
}
