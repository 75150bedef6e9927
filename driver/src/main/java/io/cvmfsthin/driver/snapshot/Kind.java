package io.cvmfsthin.driver.snapshot;

/** A snapshot's kind, as containerd names them. */
public enum Kind {
  /** Read-only, made by View; never committed. */
  VIEW,
  /** Writable, made by Prepare; becomes a committed snapshot by Commit. */
  ACTIVE,
  /** Immutable; the only kind that may be a parent. */
  COMMITTED
}
