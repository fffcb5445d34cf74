package io.castai.events.security;

import java.security.MessageDigest;

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

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented.trim()));
    }

    private static byte[] sha256(String value) {
        return Sha256.of(value);
    }
}
