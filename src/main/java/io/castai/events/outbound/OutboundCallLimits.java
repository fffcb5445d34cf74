package io.castai.events.outbound;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;

/**
 * Bounds every outbound HTTP call, to the channels and to the CAST AI API: the whole call, from
 * connecting to the last byte of the answer ({@code http.call-timeout-ms}), and how much of an
 * answer is read (see {@link LimitedAnswer}: a CAST AI page up to {@code http.max-answer-bytes}, a
 * channel's answer up to {@link #CHANNEL_ANSWER_BYTES}, each held whole by one of the channel's
 * workers), as it came (never inflated). The client's own
 * timeouts bound each wait for a byte only, so an endpoint that trickles its answer could hold a
 * sender or a poller for ever, and a delivery's lease could run out while it is being sent.
 * A call past its time is cancelled and its connection closed: before the answer's status came,
 * the caller gets a {@link CallTimeoutException} (the attempt failed); after it, the answer ends
 * there (the status stands: a 2xx is a delivery, not to be sent again).
 */
public class OutboundCallLimits implements HttpClientConfigurer, ExecChainHandler {
    /** A channel's answer: only its status and a 200-character excerpt of an error are used. */
    public static final long CHANNEL_ANSWER_BYTES = 65_536;

    private final long callTimeoutMillis;
    private final long maxAnswerBytes;
    private final String answerLimitName;

    /** @param answerLimitName what sets {@code maxAnswerBytes}, for the WARN that an answer was cut */
    public OutboundCallLimits(long callTimeoutMillis, long maxAnswerBytes, String answerLimitName) {
        this.callTimeoutMillis = callTimeoutMillis;
        this.maxAnswerBytes = maxAnswerBytes;
        this.answerLimitName = answerLimitName;
    }

    public long callTimeoutMillis() {
        return callTimeoutMillis;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst("castai-call-limits", this);
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        // camel-http's requests can be cancelled from another thread; that closes the connection
        if (!(scope.originalRequest instanceof Cancellable call)) {
            return chain.proceed(request, scope);
        }
        Deadline deadline = new Deadline(call);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException | RuntimeException failure) {
            deadline.cancel();
            // cancelled while waiting for a pooled connection, the client throws a CancellationException
            if (deadline.passed()) {
                throw new CallTimeoutException(callTimeoutMillis, failure);
            }
            throw failure;
        } catch (HttpException failure) {
            deadline.cancel();
            throw failure;
        }
        // No compression is asked for (content-compression-disabled), and camel-http would inflate
        // a gzip answer past the size limit (1 MB of gzip became 1 GiB in the heap): it is read as
        // it came.
        response.removeHeaders(HttpHeaders.CONTENT_ENCODING);
        if (response.getEntity() == null) {
            deadline.cancel();
        } else {
            response.setEntity(new LimitedAnswer(response.getEntity(), maxAnswerBytes, answerLimitName, deadline,
                    scope.route.getTargetHost().getHostName()));
        }
        return response;
    }

    /** One call's deadline: cancels the call when it passes, unless the call ended first. */
    final class Deadline {
        private final Cancellable call;
        private final AtomicBoolean passed = new AtomicBoolean();
        private final ScheduledFuture<?> timer;

        Deadline(Cancellable call) {
            this.call = call;
            this.timer = CallDeadlines.schedule(() -> {
                passed.set(true);
                call.cancel();
            }, callTimeoutMillis);
        }

        void cancel() {
            timer.cancel(false);
        }

        /** Ends the call now: what is left of its answer is not read, its connection not reused. */
        void abandon() {
            timer.cancel(false);
            call.cancel();
        }

        /** Whether the deadline has ended the call. */
        boolean passed() {
            return passed.get();
        }

        long timeoutMillis() {
            return callTimeoutMillis;
        }
    }

    /** The whole call took longer than {@code http.call-timeout-ms}. */
    public static class CallTimeoutException extends SocketTimeoutException {
        CallTimeoutException(long millis, Throwable cause) {
            super("the call did not end within " + millis + " ms (HTTP_CALL_TIMEOUT_MS)");
            initCause(cause);
        }
    }
}
