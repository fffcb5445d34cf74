package io.castai.events.outbound;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.SocketFactory;

import io.castai.events.outbound.OutboundCallLimits.CallTimeoutException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.component.mail.DefaultJavaMailSender;

/**
 * An email channel's sender, each send bounded as a whole by {@code http.call-timeout-ms} as
 * every outbound HTTP call is: Angus Mail's own timeouts bound each wait for a reply only, so a
 * server answering every command slowly could hold a send past its delivery's lease, and the
 * delivery be claimed and mailed again. At the deadline the send's sockets are closed (Angus
 * Mail makes them through the session's socket factory, on the sending thread) and the send
 * fails with a {@link CallTimeoutException}: an attempt like any failed one, retried.
 */
public class BoundedMailSender extends DefaultJavaMailSender {
    /** The send under way on this thread: its sockets, and whether its deadline has passed. */
    private static final ThreadLocal<Send> SEND = new ThreadLocal<>();

    private final long callTimeoutMillis;

    public BoundedMailSender(String protocol, long callTimeoutMillis) {
        this.callTimeoutMillis = callTimeoutMillis;
        setProtocol(protocol);
        // an instance, not a class name: Angus Mail takes it as it is (plain; it layers TLS itself)
        getJavaMailProperties().put("mail." + protocol + ".socketFactory", new TrackedSockets());
        // no quiet second try with an untracked socket when something fails on a tracked one
        getJavaMailProperties().setProperty("mail." + protocol + ".socketFactory.fallback", "false");
    }

    @Override
    public void send(MimeMessage message) throws MessagingException {
        Send send = new Send();
        SEND.set(send);
        ScheduledFuture<?> deadline = CallDeadlines.schedule(send::cutOff, callTimeoutMillis);
        try {
            super.send(message);
        } catch (MessagingException | RuntimeException failure) {
            if (send.passed.get()) {
                throw new MessagingException("the send was cut off", new CallTimeoutException(callTimeoutMillis, failure));
            }
            throw failure;
        } finally {
            deadline.cancel(false);
            SEND.remove();
        }
    }

    /** One send's sockets; once its deadline has passed, each is closed, one made later at once. */
    private static final class Send {
        private final List<Socket> sockets = new ArrayList<>();
        private final AtomicBoolean passed = new AtomicBoolean();

        synchronized Socket track(Socket socket) {
            sockets.add(socket);
            if (passed.get()) {
                // a connection tried again after the cut (Angus Mail retries a failed login)
                close(socket);
            }
            return socket;
        }

        synchronized void cutOff() {
            passed.set(true);
            sockets.forEach(Send::close);
        }

        private static void close(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing is all that is wanted: the send's blocked read fails either way
            }
        }
    }

    /** Plain sockets, each kept with the send that made it (none outside a send). */
    private static final class TrackedSockets extends SocketFactory {
        private static Socket tracked(Socket socket) {
            Send send = SEND.get();
            return send == null ? socket : send.track(socket);
        }

        @Override
        public Socket createSocket() {
            return tracked(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return tracked(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return tracked(new Socket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return tracked(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return tracked(new Socket(address, port, localAddress, localPort));
        }
    }
}
