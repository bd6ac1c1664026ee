package io.percore.config;

/**
 * The application's own WebFlux web server on the shards. Bound from {@code percore.web.*}; the
 * address, port, SSL, compression, HTTP/2 and shutdown mode stay Spring Boot's
 * {@code server.*} settings.
 */
public class WebConfig {

    @PropertyDescription("Serve the application's WebFlux handlers on the shards: one Reactor Netty server per shard on server.port "
            + "(SO_REUSEPORT, or one acceptor handing connections to the shards, see reuse-port), each request accepted, handled "
            + "and answered on one shard. Needs spring-boot-starter-webflux; false leaves Spring Boot's own Reactor Netty server.")
    private boolean enabled = true;

    @PropertyDescription("One listener per shard with SO_REUSEPORT where the transport has it (the kernel spreads connections); "
            + "false: one acceptor on shard 0 hands each connection to the next shard in turn.")
    private boolean reusePort = true;

    public WebConfig() {
    }

    public boolean isReusePort() {
        return reusePort;
    }

    public void setReusePort(boolean reusePort) {
        this.reusePort = reusePort;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
