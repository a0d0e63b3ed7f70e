package io.hearth.http.internal;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The platform's selector provider, except that every server socket it opens has
 * {@code SO_REUSEPORT} set, so that several worker JVMs can bind one port and the kernel spreads
 * connections between them. XNIO has no option for it, but opens its listening channels through
 * {@link SelectorProvider#provider()}; install this one with
 * {@code -Djava.nio.channels.spi.SelectorProvider=io.hearth.http.internal.ReusePortSelectorProvider}.
 *
 * <p>It delegates to the JDK's default provider (found reflectively, which needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}, as Chronicle does) instead of
 * subclassing it, so it compiles against the public API with {@code --release 17}. On a platform
 * whose sockets have no {@code SO_REUSEPORT} it changes nothing, and a second bind of the port fails.
 *
 * <p>Public only because the JDK instantiates it by name; not part of Hearth's API.
 */
public final class ReusePortSelectorProvider extends SelectorProvider {
    /** The system property that installs a selector provider. */
    public static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";

    private final SelectorProvider platform;

    /** Called by the JDK when the system property names this class. */
    public ReusePortSelectorProvider() {
        this.platform = platformProvider();
    }

    /** Whether this JVM's selector provider is this class. */
    public static boolean installed() {
        return SelectorProvider.provider() instanceof ReusePortSelectorProvider;
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return reusePort(platform.openServerSocketChannel());
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        return reusePort(platform.openServerSocketChannel(family));
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return platform.openDatagramChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return platform.openDatagramChannel(family);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return platform.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return platform.openSelector();
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return platform.openSocketChannel();
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        return platform.openSocketChannel(family);
    }

    @Override
    public Channel inheritedChannel() throws IOException {
        return platform.inheritedChannel();
    }

    private static ServerSocketChannel reusePort(ServerSocketChannel channel) throws IOException {
        if (channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        return channel;
    }

    private static SelectorProvider platformProvider() {
        try {
            return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot reach the JDK's default selector provider (sun.nio.ch.DefaultSelectorProvider);"
                    + " start the JVM with --add-exports=java.base/sun.nio.ch=ALL-UNNAMED", e);
        }
    }
}
