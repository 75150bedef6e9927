package io.cvmfsthin.cvmfs.object;

/** What an object in {@code data/} holds; its one-letter suffix ends the object name (§1). */
public enum ObjectType {
  FILE(""),
  CATALOG("C"),
  PARTIAL("P"),
  HISTORY("H"),
  CERTIFICATE("X"),
  METAINFO("M");

  private final String suffix;

  ObjectType(String suffix) {
    this.suffix = suffix;
  }

  public String suffix() {
    return suffix;
  }
}
