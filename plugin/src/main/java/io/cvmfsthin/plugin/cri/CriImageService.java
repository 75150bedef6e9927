package io.cvmfsthin.plugin.cri;

import com.google.protobuf.Message;
import io.cvmfsthin.plugin.cri.proto.ImageStatusRequest;
import io.cvmfsthin.plugin.cri.proto.ImageStatusResponse;
import io.cvmfsthin.plugin.cri.proto.ListImagesRequest;
import io.cvmfsthin.plugin.cri.proto.ListImagesResponse;
import io.cvmfsthin.plugin.cri.proto.PullImageRequest;
import io.cvmfsthin.plugin.cri.proto.PullImageResponse;
import io.cvmfsthin.plugin.cri.proto.RemoveImageRequest;
import io.cvmfsthin.plugin.cri.proto.RemoveImageResponse;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/**
 * The methods of CRI's {@code runtime.v1.ImageService} that this project calls, as gRPC method
 * descriptors: the full method name is the wire contract. Written by hand instead of generated,
 * because protoc-gen-grpc-java's native binary cannot be fetched for every build host; a server
 * (the test's fake) registers the same descriptors.
 */
public final class CriImageService {
  /** The service's full name, from the proto package and service. */
  public static final String SERVICE = "runtime.v1.ImageService";

  public static final MethodDescriptor<PullImageRequest, PullImageResponse> PULL_IMAGE =
      unary(
          "PullImage",
          PullImageRequest.getDefaultInstance(),
          PullImageResponse.getDefaultInstance());

  public static final MethodDescriptor<ImageStatusRequest, ImageStatusResponse> IMAGE_STATUS =
      unary(
          "ImageStatus",
          ImageStatusRequest.getDefaultInstance(),
          ImageStatusResponse.getDefaultInstance());

  public static final MethodDescriptor<ListImagesRequest, ListImagesResponse> LIST_IMAGES =
      unary(
          "ListImages",
          ListImagesRequest.getDefaultInstance(),
          ListImagesResponse.getDefaultInstance());

  public static final MethodDescriptor<RemoveImageRequest, RemoveImageResponse> REMOVE_IMAGE =
      unary(
          "RemoveImage",
          RemoveImageRequest.getDefaultInstance(),
          RemoveImageResponse.getDefaultInstance());

  private CriImageService() {}

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(
      String method, Q requestPrototype, R responsePrototype) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, method))
        .setRequestMarshaller(ProtoUtils.marshaller(requestPrototype))
        .setResponseMarshaller(ProtoUtils.marshaller(responsePrototype))
        .build();
  }
}
