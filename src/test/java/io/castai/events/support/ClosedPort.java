package io.castai.events.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port on 127.0.0.1 that refuses every connection for as long as this is open. A port merely
 * found free can be taken by the next server any test JVM starts (the suite runs two at once),
 * and a channel or database pointed at it then answers instead of refusing. This holds the port
 * with a bound socket that never listens, and without SO_REUSEADDR, so no server can bind it.
 */
public final class ClosedPort implements AutoCloseable {
    private final Socket holder = new Socket();

    public ClosedPort() {
        try {
            holder.setReuseAddress(false);
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return holder.getLocalPort();
    }

    @Override
    public void close() {
        try {
            holder.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
