package io.castai.events.intake;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sender's timestamp read as an instant: ISO 8601 with an offset, written {@code Z},
 * {@code +01}, {@code +01:00} or {@code +0100}; or Go's default form, which a console template
 * writing {@code {{ .Timestamp }}} without {@code toISO8601} gives:
 * {@code 2026-10-02 16:15:02.5 +0000 UTC}, its zone's name and any {@code m=+0.01} after the
 * offset ignored (the offset alone says the instant). A time before 1970 (Go's zero time,
 * {@code 0001-01-01T00:00:00Z}, from an unset field) or past 9999 is no time at all: shown, it
 * would date an event two thousand years back.
 */
public final class EventTime {
    // lenient offset: "+HH" then takes the minutes with or without a colon; strict dates: no 30 February
    private static final DateTimeFormatter ISO_OFFSET = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).parseLenient().appendOffset("+HH", "Z").toFormatter()
            .withResolverStyle(ResolverStyle.STRICT).withChronology(IsoChronology.INSTANCE);
    private static final DateTimeFormatter GO_DEFAULT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ').append(DateTimeFormatter.ISO_LOCAL_TIME)
            .appendLiteral(' ').appendOffset("+HHMM", "+0000").toFormatter()
            .withResolverStyle(ResolverStyle.STRICT).withChronology(IsoChronology.INSTANCE);
    // date, time, offset; then the zone's name and the monotonic clock's reading, both optional
    private static final Pattern GO_DEFAULT_FORM =
            Pattern.compile("(\\d{4,}-\\d\\d-\\d\\d \\S+ [+-]\\d{4})(?: [^ m][^ ]*)?(?: m=[+-][0-9.]+)?");
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private EventTime() {
    }

    /** The instant, or null for none, a text that is not such a time, or one out of that range. */
    public static Instant parse(String timestamp) {
        Instant at = read(timestamp);
        return at == null || at.isBefore(EARLIEST) || at.isAfter(LATEST) ? null : at;
    }

    /** True for such a time before 1970: an unset one, not one that is merely unreadable. */
    public static boolean isBeforeEpoch(String timestamp) {
        Instant at = read(timestamp);
        return at != null && at.isBefore(EARLIEST);
    }

    private static Instant read(String timestamp) {
        if (timestamp == null) {
            return null;
        }
        String text = timestamp.trim();
        Matcher goDefault = GO_DEFAULT_FORM.matcher(text);
        try {
            return goDefault.matches()
                    ? OffsetDateTime.parse(goDefault.group(1), GO_DEFAULT).toInstant()
                    : OffsetDateTime.parse(text, ISO_OFFSET).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
