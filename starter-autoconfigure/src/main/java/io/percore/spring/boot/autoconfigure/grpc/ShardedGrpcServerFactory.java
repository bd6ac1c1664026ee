package io.percore.spring.boot.autoconfigure.grpc;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import org.springframework.grpc.server.GrpcServerFactory;

/**
 * Spring gRPC's server factory for the gRPC server on the shards. Being a {@link GrpcServerFactory}
 * bean, it keeps Spring Boot from starting its own Netty gRPC server; Spring gRPC's service
 * configurer asks it which interceptors a service gets (all of them, as Spring Boot's own factory
 * answers). The server itself is {@link PercoreGrpcServer}, one per shard, started and stopped in
 * Percore's shutdown order rather than through this factory.
 */
public final class ShardedGrpcServerFactory implements GrpcServerFactory {

    @Override
    public Server createServer() {
        throw new UnsupportedOperationException("The gRPC server on the shards is the PercoreGrpcServer bean (percore.servers.grpc); "
                + "it is started and stopped with the application, not through GrpcServerFactory.createServer");
    }

    @Override
    public void addService(ServerServiceDefinition service) {
        // the services come to PercoreGrpcServer through Spring gRPC's discoverer and configurer
    }
}
