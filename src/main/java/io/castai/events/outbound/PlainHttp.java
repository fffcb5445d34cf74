package io.castai.events.outbound;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * A plain {@code http://} address of another machine: whatever a call to it carries (a token in
 * the URL, a key in a header, the message) crosses the network unencrypted. One on this machine
 * (a local proxy, a test's stand-in) does not.
 */
public final class PlainHttp {
    /** 127.0.0.0/8 written as an address: 127.example.com is a name, of any machine. */
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");

    private PlainHttp() {
    }

    public static boolean offThisMachine(String url) {
        if (url == null || !url.trim().regionMatches(true, 0, "http://", 0, 7)) {
            return false;
        }
        String host = URI.create(url.trim()).getHost();
        return host != null && !("localhost".equalsIgnoreCase(host) || LOOPBACK_V4.matcher(host).matches() || "[::1]".equals(host));
    }
}
