package io.cvmfsthin.driver;

import java.util.Map;

/**
 * Arguments of {@code Create} and {@code CreateReadWrite}.
 *
 * @param id the new layer's id
 * @param parent the parent's id, or null/empty for a base layer
 * @param mountLabel SELinux label, or null/empty
 * @param storageOpt {@code --storage-opt} values, or null/empty
 */
public record CreateRequest(
    String id, String parent, String mountLabel, Map<String, String> storageOpt) {
  /** Normalises null to empty. */
  public CreateRequest {
    parent = parent == null ? "" : parent;
    mountLabel = mountLabel == null ? "" : mountLabel;
    storageOpt = storageOpt == null ? Map.of() : Map.copyOf(storageOpt);
  }

  /** A request without label and options. */
  public static CreateRequest of(String id, String parent) {
    return new CreateRequest(id, parent, null, null);
  }
}
