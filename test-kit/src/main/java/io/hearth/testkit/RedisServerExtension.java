package io.hearth.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One redis-server for a test class, started before its first test and stopped after its last:
 * {@code @RegisterExtension static final RedisServerExtension redis = new RedisServerExtension();}
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
    private RedisServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    /** The running server. */
    public RedisServer server() {
        return server;
    }

    /** A store URI on this server with a key prefix no other test uses. */
    public String freshStoreUri() {
        return server.freshStoreUri();
    }
}
