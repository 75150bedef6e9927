package io.cvmfsthin.thinimage.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"architecture", "variant", "os", "created", "config", "rootfs", "history"})
record ConfigJson(
    @JsonProperty("architecture") String architecture,
    @JsonProperty("variant") String variant,
    @JsonProperty("os") String os,
    @JsonProperty("created") String created,
    @JsonProperty("config") ContainerConfigJson config,
    @JsonProperty("rootfs") RootfsJson rootfs,
    @JsonProperty("history") List<HistoryJson> history) {

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"type", "diff_ids"})
  record RootfsJson(
      @JsonProperty("type") String type, @JsonProperty("diff_ids") List<String> diffIds) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"created", "created_by", "comment", "empty_layer"})
  record HistoryJson(
      @JsonProperty("created") String created,
      @JsonProperty("created_by") String createdBy,
      @JsonProperty("comment") String comment,
      @JsonProperty("empty_layer") Boolean emptyLayer) {}
}
