package io.castai.events.outbound;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An answer's body as the caller reads it: at most so many bytes of it, and what came before the
 * call's deadline. A longer answer is cut there (a WARN names the host): no channel's answer is
 * needed whole (a delivery that was accepted stays delivered), and a CAST AI page cut short is
 * unreadable, so the poller tries again later instead of the heap filling up. Reading to the end,
 * or closing, ends the deadline.
 */
final class LimitedAnswer extends HttpEntityWrapper {
    private static final Logger LOG = LoggerFactory.getLogger(LimitedAnswer.class);

    private final long maxBytes;
    private final String limitName;
    private final OutboundCallLimits.Deadline deadline;
    private final String host;
    private InputStream content;

    LimitedAnswer(HttpEntity answer, long maxBytes, String limitName, OutboundCallLimits.Deadline deadline, String host) {
        super(answer);
        this.maxBytes = maxBytes;
        this.limitName = limitName;
        this.deadline = deadline;
        this.host = host;
    }

    @Override
    public InputStream getContent() throws IOException {
        // one stream for every caller, so the count and the deadline hold across them
        if (content == null) {
            content = new Limited(super.getContent());
        }
        return content;
    }

    @Override
    public void close() throws IOException {
        try {
            if (content != null) {
                content.close();
            } else {
                super.close();
            }
        } finally {
            deadline.cancel();
        }
    }

    private final class Limited extends FilterInputStream {
        private long read;
        private boolean cut;

        Limited(InputStream answer) {
            super(answer);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (cut) {
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            try {
                if (read >= maxBytes) {
                    // one byte more tells an answer of exactly the limit from a longer one
                    if (in.read() < 0) {
                        deadline.cancel();
                        return -1;
                    }
                    cutHere();
                    return -1;
                }
                int n = in.read(buffer, offset, (int) Math.min(length, maxBytes - read));
                if (n < 0) {
                    deadline.cancel();
                } else {
                    read += n;
                }
                return n;
            } catch (IOException failure) {
                if (!deadline.passed()) {
                    throw failure;
                }
                // the status is in: the answer ends here, as one cut at the size limit does
                cut = true;
                LOG.warn("The answer from {} did not end within {} ms (HTTP_CALL_TIMEOUT_MS): the rest is not read",
                        host, deadline.timeoutMillis());
                return -1;
            }
        }

        private void cutHere() {
            cut = true;
            LOG.warn("The answer from {} is longer than {} bytes ({}): the rest is not read", host, maxBytes, limitName);
            deadline.abandon();
        }

        @Override
        public int available() throws IOException {
            return cut ? 0 : super.available();
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] discard = new byte[(int) Math.min(n, 8192)];
            int skipped = read(discard, 0, discard.length);
            return Math.max(skipped, 0);
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } catch (IOException failure) {
                // a cut answer's connection is closed already; closing its stream again may fail
                if (!cut) {
                    throw failure;
                }
            } finally {
                deadline.cancel();
            }
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
