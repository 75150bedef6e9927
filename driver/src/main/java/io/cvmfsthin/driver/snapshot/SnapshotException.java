package io.cvmfsthin.driver.snapshot;

import java.io.IOException;

/**
 * A request the store refuses, with the class of failure containerd distinguishes (its errdefs), so
 * that the front end maps it in one place. The message names the key.
 */
public final class SnapshotException extends IOException {
  /** containerd's error classes that a snapshotter returns. */
  public enum Reason {
    NOT_FOUND,
    ALREADY_EXISTS,
    FAILED_PRECONDITION,
    INVALID_ARGUMENT,
    /** A CVMFS repository a snapshot needs could not be reached. */
    UNAVAILABLE
  }

  private final Reason reason;

  public SnapshotException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public SnapshotException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  static SnapshotException notFound(String key) {
    return new SnapshotException(Reason.NOT_FOUND, "snapshot " + key + ": not found");
  }

  static SnapshotException alreadyExists(String key) {
    return new SnapshotException(Reason.ALREADY_EXISTS, "snapshot " + key + ": already exists");
  }
}
