package io.castai.events.security;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The forms in which a secret turns up in text that quotes it (an error answer, an exception's
 * message, a trace), so that all of them can be written {@code <secret>}: as written,
 * JSON-escaped ({@code \/}, {@code \u002f}) and percent-encoded; and the parts of a URL or a
 * header value that are secrets on their own. Values under {@link #MIN_LENGTH} characters are
 * left alone: replacing them would garble ordinary words.
 */
public final class SecretForms {
    public static final int MIN_LENGTH = 8;
    /** Query parameters and headers whose value is a credential, whatever it looks like. */
    private static final Pattern CREDENTIAL_NAME = Pattern.compile(
            "(^|[-_.])(token|key|apikey|secret|sig|signature|auth|authorization|pass|password|creds|credentials?|cookie|session)($|[-_.])");
    /** A header value that starts with one of these carries credentials, whatever its header's name. */
    private static final Pattern AUTH_SCHEME = Pattern.compile("basic|bearer|token|digest|apikey|key");
    public static final String MASK = "<secret>";

    private SecretForms() {
    }

    /** Every form of these values, longest first (a whole URL goes before its parts). */
    public static List<String> of(Collection<String> values) {
        Set<String> forms = new LinkedHashSet<>();
        List<String> keys = new ArrayList<>(values);
        for (String value : values) {
            // a signing secret's key is the base64 after whsec_: the key alone signs as well
            if (value != null && value.trim().startsWith(WebhookSignature.PREFIX)) {
                keys.add(value.trim().substring(WebhookSignature.PREFIX.length()));
            }
        }
        for (String value : keys) {
            String secret = value == null ? "" : value.trim();
            if (secret.length() < MIN_LENGTH) {
                continue;
            }
            forms.add(secret);
            // JSON: / escaped or not, " and \\ escaped, and Go's HTML-safe escapes of & < >
            String json = secret.replace("\\", "\\\\").replace("\"", "\\\"");
            for (String slash : List.of("/", "\\/", "\\u002f", "\\u002F")) {
                forms.add(secret.replace("/", slash));
                forms.add(json.replace("/", slash));
                forms.add(json.replace("/", slash).replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"));
            }
            // percent-encoded: Java's form encoding, with %20 for a space, with / left as it is,
            // and as encodeURIComponent writes it (~ ! ' ( ) * left as they are)
            String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            forms.add(encoded);
            forms.add(encoded.replace("+", "%20"));
            forms.add(encoded.replace("%2F", "/"));
            forms.add(encoded.replace("+", "%20").replace("%7E", "~").replace("%21", "!").replace("%27", "'")
                    .replace("%28", "(").replace("%29", ")").replace("%2A", "*"));
            // base64, and UTF-8 read back as Latin-1 (a non-ASCII secret in a server's reply)
            forms.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
            forms.add(new String(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        }
        return forms.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** The text with each of these forms (from {@link #of}) replaced by {@code <secret>}. */
    public static String without(String text, List<String> forms) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String cleaned = text;
        for (String form : forms) {
            if (cleaned.contains(form)) {
                cleaned = cleaned.replace(form, MASK);
            }
        }
        return cleaned;
    }

    /**
     * A URL that holds a secret, and its parts that are secrets on their own: the path and
     * query when they hold any of the others; each path segment and host label that looks like a token (Slack's, Teams' ids, a
     * per-user host); the value of a query parameter named like a credential ({@code token},
     * {@code key}, {@code sig}...) or that looks like a token; the user information; segments
     * and values percent-decoded too. Words (a path's {@code notifications}, a database's name)
     * are not parts: the log masks every registered part wherever it appears.
     */
    public static List<String> partsOfUrl(String url) {
        List<String> parts = new ArrayList<>(List.of(url));
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            return parts;
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        int whole = parts.size();
        String[] segments = path.split("/");
        for (int i = 0; i < segments.length; i++) {
            String segment = decoded(segments[i]);
            // the last one is where webhook URLs put their token (Slack's): a digit is enough there
            boolean last = i == segments.length - 1 && segment.length() >= MIN_LENGTH
                    && segment.chars().anyMatch(Character::isDigit) && segment.chars().anyMatch(Character::isLetter);
            if (last || looksLikeAToken(segment)) {
                parts.add(segments[i]);
                parts.add(segment);
            }
        }
        if (uri.getHost() != null) {
            for (String label : uri.getHost().split("\\.")) {
                // 12 or more: a per-user host (eo1a2b3c4d5e.m.pipedream.net), not a region (prod-101)
                if (label.length() >= 12 && looksLikeAToken(label)) {
                    parts.add(label);
                }
            }
        }
        if (uri.getRawUserInfo() != null) {
            parts.add(uri.getRawUserInfo());
            parts.add(decoded(uri.getRawUserInfo()));
        }
        if (uri.getRawQuery() != null) {
            for (String parameter : uri.getRawQuery().split("&")) {
                String name = parameter.substring(0, Math.max(parameter.indexOf('='), 0)).toLowerCase(Locale.ROOT);
                String value = parameter.substring(parameter.indexOf('=') + 1);
                if (CREDENTIAL_NAME.matcher(name).find() || looksLikeAToken(decoded(value))) {
                    parts.add(value);
                    parts.add(decoded(value));
                    // a server decoding the query the form way reads a + as a space
                    parts.add(decoded(value.replace("+", "%20")));
                }
            }
        }
        if (parts.size() > whole) {
            // the path and query as a whole only when they hold a token: "/notifications" is a word
            parts.add(path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        }
        return parts;
    }

    /**
     * A webhook header's secret values: for a header named like a credential ({@code
     * Authorization}, {@code X-Api-Key}, {@code Cookie}...) its value, each piece of it (of {@code
     * ApiKey <id> <secret>}, {@code id=...,secret=...}), the credentials after a scheme ({@code
     * Bearer <token>}) and for {@code Basic} the decoded {@code user:password} and the password
     * (so for any header whose value starts with such a scheme); for any other header ({@code Accept}, {@code X-Environment}) only pieces that look like
     * tokens: its words would be masked wherever the log has them.
     */
    /** True when a header's name says credential, or its value starts with an authorization scheme. */
    public static boolean isCredentialHeader(String name, String value) {
        String[] schemeAndCredentials = value.trim().split("\\s+", 2);
        return CREDENTIAL_NAME.matcher(name.toLowerCase(Locale.ROOT)).find()
                || schemeAndCredentials.length == 2 && AUTH_SCHEME.matcher(schemeAndCredentials[0].toLowerCase(Locale.ROOT)).matches();
    }

    public static List<String> partsOfHeader(String name, String value) {
        String[] schemeAndCredentials = value.trim().split("\\s+", 2);
        boolean credential = isCredentialHeader(name, value);
        List<String> parts = new ArrayList<>();
        if (credential || looksLikeAToken(value.trim())) {
            parts.add(value.trim());
        }
        for (String piece : value.trim().split("[\\s,;]+")) {
            int equals = piece.indexOf('=');
            String pieceValue = piece.substring(equals + 1).replace("\"", "");
            // of a name=value piece, the value when its name says credential or it looks like a
            // token (not id=castai-events, not username="..."); a bare piece of a credential header
            boolean secret = equals > 0
                    ? CREDENTIAL_NAME.matcher(piece.substring(0, equals).toLowerCase(Locale.ROOT)).find() || looksLikeAToken(pieceValue)
                    : credential || looksLikeAToken(pieceValue);
            if (secret) {
                parts.add(pieceValue);
            }
        }
        if (credential && schemeAndCredentials.length == 2) {
            String credentials = schemeAndCredentials[1];
            parts.add(credentials);
            if (schemeAndCredentials[0].toLowerCase(Locale.ROOT).equals("basic")) {
                try {
                    String userAndPassword = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
                    parts.add(userAndPassword);
                    parts.add(userAndPassword.substring(userAndPassword.indexOf(':') + 1));
                } catch (IllegalArgumentException notBase64) {
                    // not what Basic should carry: the value itself is registered
                }
            }
        }
        return parts;
    }

    /** A password as SMTP's AUTH PLAIN and AUTH LOGIN carry it, base64-encoded. */
    public static List<String> smtpAuthForms(String username, String password) {
        Base64.Encoder base64 = Base64.getEncoder();
        return List.of(base64.encodeToString(password.getBytes(StandardCharsets.UTF_8)),
                base64.encodeToString(("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8)),
                base64.encodeToString((username + "\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * An id or a token, not a word: 8 characters or more with letters and two digits or more
     * (not webhookb2), or 16 or more letters and digits in both cases (Slack's token).
     */
    static boolean looksLikeAToken(String text) {
        if (text.length() < MIN_LENGTH || text.chars().noneMatch(Character::isLetter)) {
            return false;
        }
        return text.chars().filter(Character::isDigit).count() >= 2
                || text.length() >= 16 && text.chars().allMatch(Character::isLetterOrDigit)
                && text.chars().anyMatch(Character::isUpperCase) && text.chars().anyMatch(Character::isLowerCase);
    }

    /** The text percent-decoded ('+' kept: in a path it is a plus), or as it is when it does not decode. */
    static String decoded(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}
