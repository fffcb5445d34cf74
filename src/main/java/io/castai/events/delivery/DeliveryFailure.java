package io.castai.events.delivery;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import io.castai.events.channels.Shortened;
import io.castai.events.ops.Causes;
import io.castai.events.outbound.OutboundCallLimits;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * The one place that decides what an outbound failure means: 5xx, 429, 408 (request timeout),
 * 425 (too early) and I/O errors are worth another try (honouring Retry-After), any other 4xx is
 * permanent; for email, SMTP 4xx replies
 * are retried, refused credentials and 5xx replies are permanent. The description is safe to
 * log: it names the status and a short response excerpt, never the URL (which may hold a token).
 */
public record DeliveryFailure(boolean retryable, String reason, String description, Duration retryAfter,
                              int status) {
    /** The reason of a 429: the channel's rate limit. */
    public static final String RATE_LIMITED = "http_429";
    /** No HTTP answer was received (I/O error, timeout, anything else). */
    public static final int NO_STATUS = 0;

    private static final int MAX_EXCERPT = 200;
    /** How Angus Mail names the reply of a greeting it did not accept. */
    private static final Pattern GREETING_REPLY = Pattern.compile("response: (\\d{3})");
    /** The reply code an SMTP exception's message starts with (Angus Mail puts the server's last reply there). */
    private static final Pattern REPLY_CODE = Pattern.compile("^\\s*(\\d{3})");

    /** True when the endpoint refused the credentials (401 or 403). */
    public boolean credentialsRefused() {
        return status == 401 || status == 403;
    }

    public static DeliveryFailure classify(Throwable failure) {
        return classify(failure, UnaryOperator.identity());
    }

    /**
     * As {@link #classify(Throwable)}, with {@code withoutSecrets} applied to the answer before it
     * is cut to an excerpt: a secret cut in two would no longer be found, and its first half logged.
     */
    public static DeliveryFailure classify(Throwable failure, UnaryOperator<String> withoutSecrets) {
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        if (http != null) {
            int status = http.getStatusCode();
            String description = "HTTP " + status + redirectedTo(http, withoutSecrets)
                    + excerpt(withoutSecrets.apply(http.getResponseBody()));
            if (status == 429) {
                return new DeliveryFailure(true, RATE_LIMITED, description, retryAfter(http.getResponseHeaders()), status);
            }
            if (status >= 500) {
                return new DeliveryFailure(true, "http_5xx", description, retryAfter(http.getResponseHeaders()), status);
            }
            if (status == 408 || status == 425) {
                return new DeliveryFailure(true, "http_try_later", description, retryAfter(http.getResponseHeaders()), status);
            }
            return new DeliveryFailure(false, status >= 400 ? "http_4xx" : "http_other", description, null, status);
        }
        DeliveryFailure mail = classifyMail(failure, withoutSecrets);
        if (mail != null) {
            return mail;
        }
        IOException io = find(failure, IOException.class);
        if (io != null) {
            // an endpoint that stopped answering is told apart from one that cannot be reached: alertable as such
            // (a call cut off at HTTP_CALL_TIMEOUT_MS is one too)
            return new DeliveryFailure(true, io instanceof SocketTimeoutException ? "timeout" : "io_error", "I/O error" + inWords(io, withoutSecrets) + " ("
                    + io.getClass().getSimpleName() + ")", null, NO_STATUS);
        }
        if (find(failure, ExchangeTimedOutException.class) != null) {
            return new DeliveryFailure(true, "timeout", "timed out", null, NO_STATUS);
        }
        String name = failure == null ? "unknown failure" : failure.getClass().getSimpleName();
        return new DeliveryFailure(false, "error", name, null, NO_STATUS);
    }

    /**
     * What the common I/O failures mean, for the log line an operator reads; the exception's own
     * message is left out: it may name the URL. An unknown host is named (a mistyped one is the
     * usual cause), less any part of it that is a secret (a per-user host).
     */
    private static String inWords(IOException io, UnaryOperator<String> withoutSecrets) {
        if (io instanceof ConnectException) {
            return ": could not connect";
        }
        if (io instanceof OutboundCallLimits.CallTimeoutException) {
            return ": the whole call took longer than HTTP_CALL_TIMEOUT_MS";
        }
        if (io instanceof SocketTimeoutException) {
            return ": no answer in time";
        }
        if (io instanceof UnknownHostException) {
            // the JDK's message is the host, then ": Name or service not known" or the like
            String host = io.getMessage() == null ? "" : io.getMessage().split(":", 2)[0].trim();
            return ": unknown host" + (host.isEmpty() ? "" : " " + named(host, withoutSecrets));
        }
        if (io instanceof SSLException) {
            return ": TLS failed";
        }
        return "";
    }

    /**
     * A host as a failure line names it: its secrets masked, and any label but the domain's last two
     * that could be a per-user id (a digit in it, or 16 characters or more) left out as "…", as the
     * log's masking only knows the channel's own URL (k3x9q2m7zt.hooks.example.com is named
     * ….hooks.example.com; hooks.slack.con, a typo, in full). An IP address is named as it is.
     */
    private static String named(String host, UnaryOperator<String> withoutSecrets) {
        String masked = withoutSecrets.apply(host);
        if (masked.matches("[0-9.]+|\\[.*]")) {
            return masked;
        }
        String[] labels = masked.split("\\.", -1);
        for (int i = 0; i < labels.length - 2; i++) {
            if (labels[i].chars().anyMatch(Character::isDigit) || labels[i].length() >= 16) {
                labels[i] = "…";
            }
        }
        return String.join(".", labels);
    }

    /**
     * Where a 3xx sent the delivery (redirects are not followed): its scheme and host, which say
     * what to fix (http to https, a moved host); its path and query are left out, as they may hold
     * a token.
     */
    private static String redirectedTo(HttpOperationFailedException http, UnaryOperator<String> withoutSecrets) {
        String location = http.getRedirectLocation();
        if (http.getStatusCode() < 300 || http.getStatusCode() >= 400 || location == null || location.isBlank()) {
            return "";
        }
        try {
            URI target = new URI(location.trim());
            if (target.getHost() == null) {
                return ", redirected within the same host";
            }
            String rest = target.getRawPath() == null ? "" : target.getRawPath().replaceFirst("^/", "");
            boolean more = !rest.isEmpty() || target.getRawQuery() != null;
            // a scheme-relative Location (//host/path) keeps the request's scheme
            String scheme = target.getScheme() == null ? "" : target.getScheme() + ":";
            return ", redirected to " + scheme + "//" + named(target.getHost(), withoutSecrets)
                    + (target.getPort() < 0 ? "" : ":" + target.getPort()) + "/" + (more ? "…" : "");
        } catch (URISyntaxException unreadable) {
            return ", redirected to an address that is not a valid URI";
        }
    }

    /**
     * SMTP: refused credentials, 5xx replies (the greeting's too), rejected addresses and other
     * SMTP errors (a setting the server does not support) are permanent; 4xx replies ("try again
     * later", a 421 greeting) and no reply at all are retried; a failed connection is an I/O error
     * (retried), found by the caller.
     */
    private static DeliveryFailure classifyMail(Throwable failure, UnaryOperator<String> withoutSecrets) {
        if (find(failure, OutboundCallLimits.CallTimeoutException.class) != null) {
            // cut off at HTTP_CALL_TIMEOUT_MS, whatever Angus Mail made of the closed socket
            return null;
        }
        AuthenticationFailedException auth = find(failure, AuthenticationFailedException.class);
        if (auth != null && find(failure, IOException.class) != null) {
            // the connection failed or was cut off (HTTP_CALL_TIMEOUT_MS) during the login: no answer
            // to it, an I/O error like any other (the caller's)
            return null;
        }
        if (auth != null) {
            // its message is the server's reply, which may quote the credentials: only its code is used
            Matcher reply = REPLY_CODE.matcher(String.valueOf(auth.getMessage()));
            int code = reply.find() ? Integer.parseInt(reply.group(1)) : -1;
            if (code >= 400 && code < 500) {
                // 454 "temporary authentication failure": the server could not check them now
                return new DeliveryFailure(true, "smtp_4xx", "SMTP server could not check the credentials now (" + code + ")", null, code);
            }
            return new DeliveryFailure(false, "smtp_auth", "SMTP server refused the credentials", null, NO_STATUS);
        }
        SMTPSendFailedException send = find(failure, SMTPSendFailedException.class);
        SMTPAddressFailedException address = refusedRecipient(failure);
        int code = send != null ? send.getReturnCode() : address != null ? address.getReturnCode() : -1;
        if (code >= 400) {
            // a refused recipient is named: the server's reply may not say whom it refused
            String recipient = address != null && address.getAddress() != null ? " for " + address.getAddress() : "";
            String description = "SMTP " + code + recipient
                    + excerpt(withoutSecrets.apply(send != null ? send.getMessage() : address.getMessage()));
            return new DeliveryFailure(code < 500, code < 500 ? "smtp_4xx" : "smtp_5xx", description, null, code);
        }
        if (send != null || address != null) {
            // no reply code: the connection ended before the server answered (after the mail's last line, say)
            return new DeliveryFailure(true, "smtp_no_reply", "SMTP server sent no reply (the connection ended)", null, NO_STATUS);
        }
        if (find(failure, SendFailedException.class) != null) {
            return new DeliveryFailure(false, "smtp_rejected", "SMTP server rejected the message", null, NO_STATUS);
        }
        MessagingException other = find(failure, MessagingException.class);
        if (other != null && find(failure, IOException.class) == null) {
            // a greeting other than 220 ("... response: 421"): a 4xx one is temporary; a 5xx one, or a
            // setting the server does not support (STARTTLS required), is for a person to fix
            Matcher reply = GREETING_REPLY.matcher(String.valueOf(other.getMessage()));
            int greeting = reply.find() ? Integer.parseInt(reply.group(1)) : -1;
            boolean temporary = greeting >= 400 && greeting < 500;
            return new DeliveryFailure(temporary, temporary ? "smtp_4xx" : "smtp_error",
                    "SMTP error" + excerpt(withoutSecrets.apply(other.getMessage())), null, greeting < 0 ? NO_STATUS : greeting);
        }
        return null;
    }

    /** Seconds ({@code 120}) or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
    static Duration retryAfter(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if ("Retry-After".equalsIgnoreCase(header.getKey()) && header.getValue() != null) {
                return parseRetryAfter(header.getValue().trim());
            }
        }
        return null;
    }

    static Duration parseRetryAfter(String value) {
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        // a binary answer (a compressed one, read as it came) is kept readable: no control characters
        String line = body.replaceAll("\\s+", " ").replaceAll("\\p{Cc}", "?").trim();
        return ": " + Shortened.to(line, MAX_EXCERPT + 1, "…");
    }

    /** Refused addresses looked at, at most (a cycle of chained exceptions must not hang a delivery). */
    private static final int MAX_REFUSED = 10_000;

    /**
     * The refused recipient that decides: the first refused for good (5xx), else the first. With
     * one address refused for now (450) and another for good (550), retrying for a day would mail
     * nobody, and the dead letter named only the first.
     */
    private static SMTPAddressFailedException refusedRecipient(Throwable failure) {
        // Angus Mail chains one per refused address: a long To list is past Causes' depth
        List<SMTPAddressFailedException> refused = new ArrayList<>();
        Set<Exception> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        MessagingException first = find(failure, MessagingException.class);
        for (Exception next = first; next != null && seen.add(next) && seen.size() <= MAX_REFUSED;
             next = next instanceof MessagingException chained ? chained.getNextException() : null) {
            if (next instanceof SMTPAddressFailedException address) {
                refused.add(address);
            }
        }
        return refused.stream().filter(address -> address.getReturnCode() >= 500).findFirst()
                .orElse(refused.isEmpty() ? null : refused.get(0));
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        return Causes.find(failure, type);
    }
}
