package io.castai.events.security;

import java.security.MessageDigest;
import java.util.List;

/** A shared secret compared in constant time (digests of equal length, MessageDigest.isEqual). */
public final class SecretToken {
    private final byte[] digest;

    private SecretToken(byte[] digest) {
        this.digest = digest;
    }

    /** Null when the token is not set. */
    public static SecretToken of(String value) {
        return value == null || value.isBlank() ? null : new SecretToken(sha256(value.trim()));
    }

    /**
     * The path with every segment that is one of these tokens written as {@code <secret>}: a
     * sender that put its token in the URL's path has it logged as sent otherwise.
     */
    public static String maskedIn(String path, List<SecretToken> tokens) {
        if (tokens.isEmpty() || path == null) {
            return path;
        }
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            String decoded = SecretForms.decoded(segment);
            if (!segment.isEmpty() && tokens.stream().anyMatch(token -> token.matches(segment) || token.matches(decoded))) {
                segments[i] = "<secret>";
            }
        }
        return String.join("/", segments);
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented.trim()));
    }

    private static byte[] sha256(String value) {
        return Sha256.of(value);
    }
}
