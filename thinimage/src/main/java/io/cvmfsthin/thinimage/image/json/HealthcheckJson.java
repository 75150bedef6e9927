package io.cvmfsthin.thinimage.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.cvmfsthin.thinimage.image.Healthcheck;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
@JsonPropertyOrder({"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"})
record HealthcheckJson(
    @JsonProperty("Test") List<String> test,
    @JsonProperty("Interval") long interval,
    @JsonProperty("Timeout") long timeout,
    @JsonProperty("StartPeriod") long startPeriod,
    @JsonProperty("StartInterval") long startInterval,
    @JsonProperty("Retries") int retries) {

  Healthcheck toHealthcheck() {
    return new Healthcheck(test, interval, timeout, startPeriod, startInterval, retries);
  }

  static HealthcheckJson of(Healthcheck h) {
    return h == null
        ? null
        : new HealthcheckJson(
            h.test(),
            h.intervalNanos(),
            h.timeoutNanos(),
            h.startPeriodNanos(),
            h.startIntervalNanos(),
            h.retries());
  }
}
