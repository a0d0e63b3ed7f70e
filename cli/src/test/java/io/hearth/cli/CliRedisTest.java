package io.hearth.cli;

import static io.hearth.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.Ports;
import io.hearth.testkit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every command on a real redis-server (this class's own, a fresh key prefix per test), and what Redis answers differently. */
class CliRedisTest extends CliContract {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private final String uri = redis.freshStoreUri();

    @Override
    protected String store() {
        return uri;
    }

    @Override
    protected void createStore() {
        // A fresh prefix is an empty store already.
    }

    @Override
    protected String cappedStore(int maxEntries) {
        return redis.server().freshStoreUri("maxEntries=" + maxEntries);
    }

    @Test
    void checkOnRedisIsRefusedWithExitTwo() {
        Cli.Result check = run(uri, "check");

        assertThat(check.status()).isEqualTo(2);
        assertThat(check.err().lines()).singleElement().asString().contains("no integrity check");
    }

    @Test
    void aRedisThatCannotBeReachedIsOneLineNamingItAndExitThreeWithoutThePassword() {
        String unreachable = "redis://:secret-word@127.0.0.1:" + Ports.freeLoopbackPort() + "/0?connectTimeout=200ms&timeout=200ms";

        Cli.Result refused = run(unreachable, "get", "users", "ada");

        assertThat(refused.status()).isEqualTo(3);
        assertThat(refused.err().lines()).singleElement().asString().contains("unreachable").doesNotContain("secret-word");
    }

    @Test
    void anUnknownUriOptionOrAUriWithoutAHostIsAUsageError() {
        Cli.Result option = run(uri + "&colour=red", "stats");
        Cli.Result noHost = run("redis:///0", "stats");
        Cli.Result scheme = run("rediss://127.0.0.1:6379/0", "stats");

        assertThat(option.status()).isEqualTo(2);
        assertThat(option.err()).contains("colour");
        assertThat(noHost.status()).isEqualTo(2);
        assertThat(noHost.err()).contains("names no host");
        assertThat(scheme.status()).isEqualTo(2);
        assertThat(scheme.err()).contains("neither a file path nor a redis:// URI");
    }
}
