package io.castai.events.security;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * A shared secret compared in constant time (digests of equal length, MessageDigest.isEqual).
 * The setting may list several, comma-separated, each accepted: while a token is rotated the
 * senders still holding the old one are let in until they have the new one.
 */
public final class SecretToken {
    private final List<byte[]> digests;

    private SecretToken(List<byte[]> digests) {
        this.digests = digests;
    }

    /** Null when no token is set. */
    public static SecretToken of(String value) {
        List<byte[]> digests = value == null ? List.of() : tokensIn(value).stream().map(SecretToken::sha256).toList();
        return digests.isEmpty() ? null : new SecretToken(digests);
    }

    /** The tokens a setting lists (comma-separated, trimmed). */
    public static List<String> tokensIn(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(token -> !token.isEmpty()).toList();
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
        if (presented == null) {
            return false;
        }
        byte[] candidate = sha256(presented.trim());
        boolean matched = false;
        // every token compared, whichever matches: the time taken says nothing of which
        for (byte[] digest : digests) {
            matched |= MessageDigest.isEqual(digest, candidate);
        }
        return matched;
    }

    private static byte[] sha256(String value) {
        return Sha256.of(value);
    }
}
