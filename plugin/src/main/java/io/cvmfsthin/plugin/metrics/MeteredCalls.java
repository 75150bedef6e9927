package io.cvmfsthin.plugin.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Times each gRPC call of the snapshotter and counts those answered with an error status. */
public final class MeteredCalls implements ServerInterceptor {
  private final PluginMetrics metrics;

  public MeteredCalls(PluginMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    long start = System.nanoTime();
    String method = call.getMethodDescriptor().getBareMethodName();
    return next.startCall(
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            metrics.snapshotterCall(method, status.getCode().name(), System.nanoTime() - start);
            super.close(status, trailers);
          }
        },
        headers);
  }
}
