package io.castai.events.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.castai.events.channels.ConfigurationException;

/**
 * Standard Webhooks signatures (standardwebhooks.com): {@code webhook-signature} holds
 * space-separated {@code v1,<base64>} values, each an HMAC-SHA256 under the {@code whsec_}
 * secret of {@code <webhook-id>.<webhook-timestamp>.<body>}. (The Java package published as
 * com.standardwebhooks:standardwebhooks 1.0.0 holds no classes, so the check is written here.)
 */
public final class WebhookSignature {
    /** How a signing secret is written: this, then the key in base64. */
    static final String PREFIX = "whsec_";

    private final byte[] key;
    private final Duration tolerance;
    private final Clock clock;

    public WebhookSignature(String secret, Duration tolerance, Clock clock) {
        String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        try {
            this.key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw ConfigurationException.inSetting("webhook.signing-secret", "must be whsec_ followed by base64");
        }
        if (key.length == 0) {
            // HMAC refuses an empty key: every signed request would be a server error
            throw ConfigurationException.inSetting("webhook.signing-secret", "holds no key: whsec_ followed by base64");
        }
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /** The {@code v1,<base64>} signature of a message. */
    public String sign(String id, long timestampSeconds, byte[] body) {
        return sign(id.getBytes(StandardCharsets.UTF_8), timestampSeconds, body);
    }

    private String sign(byte[] id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(id);
            mac.update(("." + timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Why a request's signature headers alone are refused, or null: one missing, a timestamp that
     * is not a number or not fresh, no {@code v1,} signature. Checked before the body is read, so a
     * stranger cannot hold the intake's body budget with a made-up header (a well-formed one still
     * passes until the body is verified).
     */
    public String headerRefusal(String id, String timestamp, String signatures) {
        try {
            freshTimestamp(id, timestamp, signatures);
            return null;
        } catch (UnauthorizedException e) {
            return e.getMessage();
        }
    }

    /** Throws {@link UnauthorizedException} unless one of the signatures matches and the timestamp is fresh. */
    public void verify(String id, String timestamp, String signatures, byte[] body) {
        long seconds = freshTimestamp(id, timestamp, signatures);
        // the HTTP server reads a header's bytes as ISO-8859-1 characters: this gives back the
        // bytes the sender signed (a non-ASCII id in UTF-8, say), not a re-encoding of them
        byte[] expected = sign(id.getBytes(StandardCharsets.ISO_8859_1), seconds, body).getBytes(StandardCharsets.UTF_8);
        for (String candidate : signatures.trim().split(" +")) {
            if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.UTF_8))) {
                return;
            }
        }
        throw new UnauthorizedException("invalid webhook signature");
    }

    private long freshTimestamp(String id, String timestamp, String signatures) {
        if (id == null || timestamp == null || signatures == null) {
            throw new UnauthorizedException("invalid webhook signature: webhook-id, webhook-timestamp and "
                    + "webhook-signature are all required");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new UnauthorizedException("invalid webhook signature: webhook-timestamp is not a number");
        }
        // compared as numbers: a timestamp beyond Instant's range is just as stale
        if (Math.abs((double) seconds - clock.instant().getEpochSecond()) > tolerance.toSeconds()) {
            throw new UnauthorizedException("invalid webhook signature: timestamp outside the tolerance of "
                    + tolerance.toSeconds() + " s");
        }
        if (!(" " + signatures.trim()).contains(" v1,")) {
            throw new UnauthorizedException("invalid webhook signature");
        }
        return seconds;
    }
}
