package io.castai.events.outbound;

import java.net.URI;

/**
 * A plain {@code http://} address of another machine: whatever a call to it carries (a token in
 * the URL, a key in a header, the message) crosses the network unencrypted. One on this machine
 * (a local proxy, a test's stand-in) does not.
 */
public final class PlainHttp {
    private PlainHttp() {
    }

    public static boolean offThisMachine(String url) {
        if (url == null || !url.trim().regionMatches(true, 0, "http://", 0, 7)) {
            return false;
        }
        String host = URI.create(url.trim()).getHost();
        return host != null && !("localhost".equalsIgnoreCase(host) || host.startsWith("127.") || "[::1]".equals(host));
    }
}
