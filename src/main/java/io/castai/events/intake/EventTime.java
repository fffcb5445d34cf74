package io.castai.events.intake;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/**
 * A sender's timestamp read as an instant: ISO 8601 with an offset, written {@code Z},
 * {@code +01}, {@code +01:00} or {@code +0100}. A time before 1970 (Go's zero time,
 * {@code 0001-01-01T00:00:00Z}, from an unset field) or past 9999 is no time at all: shown, it
 * would date an event two thousand years back.
 */
public final class EventTime {
    // lenient offset: "+HH" then takes the minutes with or without a colon; strict dates: no 30 February
    private static final DateTimeFormatter ISO_OFFSET = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).parseLenient().appendOffset("+HH", "Z").toFormatter()
            .withResolverStyle(ResolverStyle.STRICT).withChronology(IsoChronology.INSTANCE);
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
        try {
            return OffsetDateTime.parse(timestamp.trim(), ISO_OFFSET).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
