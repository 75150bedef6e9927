package io.cvmfsthin.plugin.cri;

import io.grpc.Status;
import java.io.IOException;

/** A CRI call the runtime refused or could not be reached for; the gRPC code tells which. */
public final class CriCallException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;

  CriCallException(String message, Status.Code code, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The gRPC status code the call ended with ({@code UNAVAILABLE} when nothing answered). */
  public Status.Code code() {
    return code;
  }
}
