package io.castai.events.ops;

import io.castai.events.channels.ConfigurationException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.TCPServerBase;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;

/**
 * Refuses to start when the HTTP server could not listen (its port in use, an address this host
 * does not have). camel-platform-http-vertx only logs that failure and carries on: the service
 * would poll and send while no webhook, probe or metrics request could reach it. Checked before
 * any route starts.
 */
public class HttpServerListening implements StartupListener, Ordered {
    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpServer platform = context.hasService(VertxPlatformHttpServer.class);
        HttpServer server = platform == null ? null : platform.getServer();
        // Vert.x's own flag (its public interface has none; actualPort() is set before the bind fails)
        if (server instanceof TCPServerBase listener && !stillListening(listener)) {
            // either setting may be the wrong one: a port in use, or an address this host does not have
            throw new ConfigurationException("SERVER_PORT (server.port) / SERVER_HOST (server.host): the HTTP server could not "
                    + "listen on " + platform.getHost() + ":" + platform.getConfigurationPort()
                    + " (the port is in use, or the address is not one of this host's: the HTTP server's WARN line says which)");
        }
    }

    /**
     * Vert.x clears its flag in a callback that may run just after the one that let the start-up
     * go on (both on the event loop): a second look a moment later sees a failed bind (a CI run
     * once started with its port in use, the flag read before it was cleared).
     */
    private static boolean stillListening(TCPServerBase listener) {
        if (!listener.isListening()) {
            return false;
        }
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return listener.isListening();
    }

    /**
     * Last, after Camel's own listener that starts the services deferred to this moment, the HTTP
     * server among them (the sort keeps the order listeners were added in among equals).
     */
    @Override
    public int getOrder() {
        return Ordered.LOWEST;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // checked while starting, before the routes
    }
}
