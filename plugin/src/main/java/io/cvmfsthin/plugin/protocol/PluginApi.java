package io.cvmfsthin.plugin.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cvmfsthin.plugin.protocol.WireJson.CapabilitiesJson;
import io.cvmfsthin.plugin.protocol.WireJson.CapsJson;
import io.cvmfsthin.plugin.protocol.WireJson.ChangeJson;
import io.cvmfsthin.plugin.protocol.WireJson.ChangesJson;
import io.cvmfsthin.plugin.protocol.WireJson.CreateRequestJson;
import io.cvmfsthin.plugin.protocol.WireJson.DirJson;
import io.cvmfsthin.plugin.protocol.WireJson.ErrJson;
import io.cvmfsthin.plugin.protocol.WireJson.ExistsJson;
import io.cvmfsthin.plugin.protocol.WireJson.IdMapJson;
import io.cvmfsthin.plugin.protocol.WireJson.ImplementsJson;
import io.cvmfsthin.plugin.protocol.WireJson.InitRequestJson;
import io.cvmfsthin.plugin.protocol.WireJson.LayerRequestJson;
import io.cvmfsthin.plugin.protocol.WireJson.MetadataJson;
import io.cvmfsthin.plugin.protocol.WireJson.SizeJson;
import io.cvmfsthin.plugin.protocol.WireJson.StatusJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Endpoint + JSON body → backend call → JSON answer, for every endpoint except the two that stream
 * ({@code ApplyDiff}'s request, {@code Diff}'s response), whose arguments and answers it still
 * parses and formats. Failures become {@code 500 {"Err": "..."}}; unknown endpoints {@code 404
 * {"Err": "..."}} (spec §2.2).
 */
public final class PluginApi {
  public static final String PREFIX = "/GraphDriver.";
  public static final String APPLY_DIFF = PREFIX + "ApplyDiff";
  public static final String DIFF = PREFIX + "Diff";
  public static final String ACTIVATE = "/Plugin.Activate";

  /** The {@code /GraphDriver.*} methods of docker.graphdriver/1.0 (spec §4), all served. */
  private static final Set<String> METHODS =
      Set.of(
          "Init",
          "Capabilities",
          "Create",
          "CreateReadWrite",
          "Remove",
          "Get",
          "Put",
          "Exists",
          "Status",
          "GetMetadata",
          "Cleanup",
          "Diff",
          "Changes",
          "ApplyDiff",
          "DiffSize");

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private final GraphDriverBackend backend;

  public PluginApi(GraphDriverBackend backend) {
    this.backend = backend;
  }

  /** An HTTP answer: status and JSON bytes. */
  public record Answer(int status, byte[] json) {}

  /** The id and parent of a {@code Diff} request, parsed; throws for malformed JSON. */
  public record LayerArgs(String id, String parent) {}

  /** Handles one JSON endpoint. Never throws: every failure is an {@code Err} answer. */
  public Answer call(String path, byte[] body) {
    try {
      return new Answer(200, dispatch(path, body));
    } catch (UnknownEndpointException e) {
      return error(404, e.getMessage());
    } catch (JsonProcessingException e) {
      return error(500, "malformed JSON body for " + path + ": " + e.getOriginalMessage());
    } catch (IOException | RuntimeException e) {
      return error(500, describe(e));
    }
  }

  /** Every endpoint this plugin serves: {@link #ACTIVATE} and each {@code /GraphDriver.*}. */
  public static Set<String> endpoints() {
    Set<String> all = new TreeSet<>();
    all.add(ACTIVATE);
    METHODS.forEach(m -> all.add(PREFIX + m));
    return Collections.unmodifiableSet(all);
  }

  /** Whether {@code path} is an endpoint this plugin serves. */
  public static boolean isKnown(String path) {
    return path.equals(ACTIVATE) || (path.startsWith(PREFIX) && method(path) != null);
  }

  public LayerArgs parseLayerArgs(String path, byte[] body) throws IOException {
    LayerRequestJson r = read(path, body, LayerRequestJson.class);
    return new LayerArgs(requireId(path, r.id()), orEmpty(r.parent()));
  }

  /** The success answer of {@code ApplyDiff}. */
  public static Answer applyDiffAnswer(long sizeBytes) {
    return new Answer(200, write(new SizeJson(sizeBytes)));
  }

  /** A failure answer; {@code message} is what the user sees after "GraphDriver.X: ". */
  public static Answer error(int status, String message) {
    String m = message == null || message.isBlank() ? "unknown error" : message;
    return new Answer(status, write(new ErrJson(m)));
  }

  /** An exception's message with the class name only when it says nothing itself. */
  public static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private byte[] dispatch(String path, byte[] body) throws IOException {
    if (path.equals(ACTIVATE)) {
      return write(new ImplementsJson(List.of("GraphDriver")));
    }
    String method = method(path);
    if (method == null) {
      throw new UnknownEndpointException(path);
    }
    switch (method) {
      case "Init" -> {
        InitRequestJson r = read(path, body, InitRequestJson.class);
        if (r.home() == null || r.home().isBlank()) {
          throw new IllegalArgumentException("Init without Home");
        }
        backend.init(
            Path.of(r.home()),
            r.opts() == null ? List.of() : r.opts(),
            idMaps(r.uidMaps()),
            idMaps(r.gidMaps()));
        return write(Map.of());
      }
      case "Capabilities" -> {
        return write(new CapabilitiesJson(new CapsJson(backend.reproducesExactDiffs())));
      }
      case "Create", "CreateReadWrite" -> {
        CreateRequestJson r = read(path, body, CreateRequestJson.class);
        String id = requireId(path, r.id());
        Map<String, String> opts = r.storageOpt() == null ? Map.of() : r.storageOpt();
        if (method.equals("Create")) {
          backend.create(id, orEmpty(r.parent()), orEmpty(r.mountLabel()), opts);
        } else {
          backend.createReadWrite(id, orEmpty(r.parent()), orEmpty(r.mountLabel()), opts);
        }
        return write(Map.of());
      }
      case "Remove" -> {
        backend.remove(layer(path, body).id());
        return write(Map.of());
      }
      case "Get" -> {
        LayerRequestJson r = read(path, body, LayerRequestJson.class);
        Path dir = backend.get(requireId(path, r.id()), orEmpty(r.mountLabel()));
        return write(new DirJson(dir.toString()));
      }
      case "Put" -> {
        backend.put(layer(path, body).id());
        return write(Map.of());
      }
      case "Exists" -> {
        return write(new ExistsJson(backend.exists(layer(path, body).id())));
      }
      case "Status" -> {
        return write(
            new StatusJson(
                backend.status().stream().map(e -> List.of(e.getKey(), e.getValue())).toList()));
      }
      case "GetMetadata" -> {
        return write(new MetadataJson(backend.metadata(layer(path, body).id())));
      }
      case "Cleanup" -> {
        backend.cleanup();
        return write(Map.of());
      }
      case "Changes" -> {
        LayerArgs a = layer(path, body);
        List<ChangeJson> changes =
            backend.changes(a.id(), a.parent()).stream()
                .map(c -> new ChangeJson(c.path(), c.kind().ordinal()))
                .toList();
        return write(new ChangesJson(changes));
      }
      case "DiffSize" -> {
        LayerArgs a = layer(path, body);
        return write(new SizeJson(backend.diffSize(a.id(), a.parent())));
      }
      default -> throw new UnknownEndpointException(path);
    }
  }

  private LayerArgs layer(String path, byte[] body) throws IOException {
    return parseLayerArgs(path, body);
  }

  private static String method(String path) {
    if (!path.startsWith(PREFIX)) {
      return null;
    }
    String m = path.substring(PREFIX.length());
    return METHODS.contains(m) ? m : null;
  }

  private static <T> T read(String path, byte[] body, Class<T> type) throws IOException {
    if (body.length == 0) {
      body = "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
    T value = JSON.readValue(body, type);
    if (value == null) {
      throw new IllegalArgumentException("empty JSON body for " + path);
    }
    return value;
  }

  static byte[] write(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value, e);
    }
  }

  private static String requireId(String path, String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException(path + " without ID");
    }
    if (id.contains("/") || id.equals(".") || id.equals("..") || id.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(path + ": invalid layer id '" + id + "'");
    }
    return id;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static List<GraphDriverBackend.IdMap> idMaps(List<IdMapJson> maps) {
    return maps == null ? List.of() : maps.stream().map(IdMapJson::toIdMap).toList();
  }

  /** Validates a layer id given in a query string (ApplyDiff). */
  public static String checkQueryId(String path, String id) {
    return requireId(path, id);
  }

  private static final class UnknownEndpointException extends IOException {
    private static final long serialVersionUID = 1L;

    UnknownEndpointException(String path) {
      super("unknown method " + path + " (this plugin implements docker.graphdriver/1.0)");
    }
  }
}
