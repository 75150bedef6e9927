package io.cvmfsthin.plugin.containerd;

import io.cvmfsthin.driver.snapshot.SnapshotException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The one place where a failure becomes the gRPC status containerd expects: its errdefs read
 * NotFound, AlreadyExists, FailedPrecondition, InvalidArgument and Unavailable back into the errors
 * its unpacker and garbage collector act on (AlreadyExists on Prepare means "remote snapshot
 * there").
 */
final class Statuses {
  private Statuses() {}

  static StatusRuntimeException of(Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    Status status;
    if (e instanceof SnapshotException s) {
      status =
          switch (s.reason()) {
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case UNAVAILABLE -> Status.UNAVAILABLE;
          };
    } else {
      status = Status.UNKNOWN;
    }
    return status.withDescription(message).withCause(e).asRuntimeException();
  }
}
