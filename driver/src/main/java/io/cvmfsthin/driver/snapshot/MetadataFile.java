package io.cvmfsthin.driver.snapshot;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The store's metadata, {@code <root>/metadata.json}: every snapshot and the next id. Rewritten
 * whole on each change (a host holds hundreds of snapshots, not millions) under a temporary name,
 * forced, and renamed over the old file, so a crash leaves the old or the new state, never a mix.
 */
final class MetadataFile {
  static final String NAME = "metadata.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A snapshot with its cached usage (committed snapshots; -1 when not known). */
  record Entry(Snapshot snapshot, long sizeBytes, long inodes) {}

  /** The file's content. */
  record State(long nextId, List<Entry> entries) {}

  /** Wire records: the JSON form, apart from the domain types. */
  record SnapshotJson(
      String id,
      String name,
      String parent,
      String kind,
      String created,
      String updated,
      Map<String, String> labels,
      List<LayerJson> layers,
      long sizeBytes,
      long inodes) {}

  record LayerJson(String fqrn, String path) {}

  record FileJson(long nextId, List<SnapshotJson> snapshots) {}

  private MetadataFile() {}

  static State read(Path root) throws IOException {
    Path file = root.resolve(NAME);
    if (!Files.exists(file)) {
      return new State(1, List.of());
    }
    FileJson json;
    try {
      json = JSON.readValue(file.toFile(), FileJson.class);
    } catch (IOException e) {
      throw new IOException(file + ": unreadable snapshot metadata: " + e.getMessage(), e);
    }
    List<Entry> entries = new ArrayList<>();
    for (SnapshotJson s : json.snapshots() == null ? List.<SnapshotJson>of() : json.snapshots()) {
      List<LayerLocation> layers = new ArrayList<>();
      if (s.layers() != null) {
        s.layers().forEach(l -> layers.add(new LayerLocation(l.fqrn(), l.path())));
      }
      entries.add(
          new Entry(
              new Snapshot(
                  s.id(),
                  s.name(),
                  s.parent() == null ? "" : s.parent(),
                  Kind.valueOf(s.kind()),
                  Instant.parse(s.created()),
                  Instant.parse(s.updated()),
                  s.labels() == null ? Map.of() : s.labels(),
                  layers),
              s.sizeBytes(),
              s.inodes()));
    }
    return new State(json.nextId(), entries);
  }

  static void write(Path root, State state) throws IOException {
    List<SnapshotJson> snapshots = new ArrayList<>();
    for (Entry e : state.entries()) {
      Snapshot s = e.snapshot();
      snapshots.add(
          new SnapshotJson(
              s.id(),
              s.name(),
              s.parent(),
              s.kind().name(),
              s.created().toString(),
              s.updated().toString(),
              new LinkedHashMap<>(s.labels()),
              s.layers().stream().map(l -> new LayerJson(l.fqrn(), l.path())).toList(),
              e.sizeBytes(),
              e.inodes()));
    }
    byte[] bytes = JSON.writeValueAsBytes(new FileJson(state.nextId(), snapshots));
    Path tmp = Files.createTempFile(root, ".metadata-", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      Files.move(tmp, root.resolve(NAME), StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
