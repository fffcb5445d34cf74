package io.castai.events.intake;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;

/**
 * A sender's timestamp read as an instant: ISO 8601 with an offset, written {@code Z},
 * {@code +01}, {@code +01:00} or {@code +0100}. A time before 1970 (Go's zero time,
 * {@code 0001-01-01T00:00:00Z}, from an unset field) or past 9999 is no time at all: shown, it
 * would date an event two thousand years back.
 */
public final class EventTime {
    // lenient: "+HH" then takes the minutes with or without a colon
    private static final DateTimeFormatter ISO_OFFSET = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).parseLenient().appendOffset("+HH", "Z").toFormatter();
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private EventTime() {
    }

    /** The instant, or null for none, a text that is not such a time, or one out of that range. */
    public static Instant parse(String timestamp) {
        if (timestamp == null) {
            return null;
        }
        try {
            Instant at = OffsetDateTime.parse(timestamp.trim(), ISO_OFFSET).toInstant();
            return at.isBefore(EARLIEST) || at.isAfter(LATEST) ? null : at;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
