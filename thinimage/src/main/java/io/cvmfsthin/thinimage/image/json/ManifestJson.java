package io.cvmfsthin.thinimage.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/** A manifest or an index on the wire: both shapes in one record, told apart by their fields. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "mediaType", "config", "layers", "manifests", "annotations"})
record ManifestJson(
    @JsonProperty("schemaVersion") Integer schemaVersion,
    @JsonProperty("mediaType") String mediaType,
    @JsonProperty("config") DescriptorJson config,
    @JsonProperty("layers") List<DescriptorJson> layers,
    @JsonProperty("manifests") List<DescriptorJson> manifests,
    @JsonProperty("annotations") Map<String, String> annotations) {}
