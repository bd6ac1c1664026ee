package io.percore.spring.boot.autoconfigure.grpc;

import io.grpc.ServerServiceDefinition;
import java.util.List;

/** The gRPC services the server on the shards serves: Spring gRPC's when it is there, else every {@code BindableService} bean. */
@FunctionalInterface
public interface GrpcServices {

    List<ServerServiceDefinition> services();
}
