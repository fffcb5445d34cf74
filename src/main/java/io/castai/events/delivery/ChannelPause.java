package io.castai.events.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A 429 is about the channel, not one message: Slack allows about one message a second per
 * webhook, PagerDuty about 120 events a minute per key. After a 429 the whole channel waits out
 * the Retry-After; then what waited goes one at a time, each in a slot of its own, one pause
 * apart (at most {@link #MAX_SPACING}): let go together, the channel's workers would meet the next
 * 429 three at a time, and every pause would end in a burst of them. Every few deliveries that
 * get through in a row halve the spacing, and below {@link #MIN_SPACING} the channel sends at full
 * speed again: a limit that has passed holds the channel back for seconds, not for as long as its
 * backlog lasts at one a second (hours, after a burst). Slots are booked at most
 * {@link #HORIZON} ahead, and the retry timer claims no more than fit in it ({@link #allowance}):
 * what waits longer stays in the outbox as it was, not postponed hours ahead (which outlived the
 * pace, and a restart). Per process: each replica paces its own sends.
 */
public class ChannelPause {
    /** Slots at most this far apart: Slack's rate, half PagerDuty's. */
    static final Duration MAX_SPACING = Duration.ofSeconds(1);
    /**
     * Deliveries through in a row that halve the spacing: halved at each, a channel held to one a
     * second (Slack's own limit) met a 429 at every second send and got half its rate.
     */
    static final int THROUGH_TO_HALVE = 5;
    /** Slots this close: the limit has passed, and the channel is no longer paced. */
    static final Duration MIN_SPACING = Duration.ofMillis(10);
    /** How far ahead slots are booked, at most. */
    static final Duration HORIZON = Duration.ofSeconds(5);
    /** Two slots this much less than a spacing apart are a spacing apart: due times are kept in whole milliseconds. */
    private static final Duration TOLERANCE = Duration.ofMillis(1);
    /** A booked delivery not back this long after its slot went elsewhere (another replica, a lost lease). */
    static final Duration GONE_AFTER = Duration.ofMinutes(1);

    /** One channel's pause and the slots after it. */
    private static final class Pace {
        Instant until;
        Duration spacing;
        Instant nextSlot;
        Instant nextPurge = Instant.MIN;
        /** When the last paced delivery went. */
        Instant lastGone = Instant.MIN;
        /** Deliveries that got through at this spacing since the last 429 or change of spacing. */
        int throughInARow;
        final Map<String, Instant> booked = new HashMap<>();

        Pace(Instant until, Duration spacing) {
            this.until = until;
            this.spacing = spacing;
            this.nextSlot = until;
        }
    }

    /** Changed under this object's lock; read without it on the way of every delivery (most channels are never paced). */
    private final Map<String, Pace> paces = new ConcurrentHashMap<>();
    private final Clock clock;

    public ChannelPause(Clock clock) {
        this.clock = clock;
    }

    public synchronized void pause(String channel, Duration wait) {
        Instant until = clock.instant().plus(wait);
        // a Retry-After: 0 (or a backoff of a millisecond) paces at the closest spacing, which five successes end
        Duration spacing = wait.compareTo(MAX_SPACING) > 0 ? MAX_SPACING : wait.compareTo(MIN_SPACING) < 0 ? MIN_SPACING : wait;
        Pace pace = paces.get(channel);
        if (pace == null) {
            paces.put(channel, new Pace(until, spacing));
            return;
        }
        if (until.isAfter(pace.until)) {
            pace.until = until;
        }
        pace.spacing = spacing;
        pace.throughInARow = 0;
    }

    /** Whether the channel is paced: what the intake routes to it is left to the retry timer, which claims at its pace. */
    public boolean isPaced(String channel) {
        return paces.containsKey(channel);
    }

    /** How many of the channel's due deliveries the retry timer may claim now: as many as the free slots within {@link #HORIZON}. */
    public int allowance(String channel) {
        if (!paces.containsKey(channel)) {
            return Integer.MAX_VALUE;
        }
        synchronized (this) {
            Pace pace = paces.get(channel);
            if (pace == null) {
                return Integer.MAX_VALUE;
            }
            Instant now = clock.instant();
            if (now.isBefore(pace.until)) {
                return 0;
            }
            Instant free = pace.nextSlot.isAfter(now) ? pace.nextSlot : now;
            return (int) Math.max(0, Duration.between(free, now.plus(HORIZON)).toNanos() / Math.max(1, pace.spacing.toNanos()));
        }
    }

    /** A delivery got through: every {@link #THROUGH_TO_HALVE} in a row the slots draw closer, and past {@link #MIN_SPACING} the channel goes at full speed. */
    public void delivered(String channel) {
        if (!paces.containsKey(channel)) {
            return;
        }
        synchronized (this) {
            Pace pace = paces.get(channel);
            if (pace != null && !clock.instant().isBefore(pace.until) && ++pace.throughInARow >= THROUGH_TO_HALVE) {
                pace.throughInARow = 0;
                pace.spacing = pace.spacing.dividedBy(2);
                if (pace.spacing.compareTo(MIN_SPACING) < 0) {
                    paces.remove(channel);
                }
            }
        }
    }

    /**
     * Zero when this delivery (an event's, on this channel) may be sent now; otherwise how long it
     * waits for its slot, which is booked for it. One back at its slot goes.
     */
    public Duration waitFor(String channel, String eventId) {
        if (!paces.containsKey(channel)) {
            return Duration.ZERO;
        }
        synchronized (this) {
            return paced(channel, eventId);
        }
    }

    private Duration paced(String channel, String eventId) {
        Pace pace = paces.get(channel);
        if (pace == null) {
            return Duration.ZERO;
        }
        Instant now = clock.instant();
        if (!now.isBefore(pace.nextPurge)) { // at most once a second
            pace.booked.values().removeIf(slot -> slot.plus(GONE_AFTER).isBefore(now));
            pace.nextPurge = now.plusSeconds(1);
        }
        // once the pause is over, and a slot after the last that went: one back from its booked
        // slot goes (not compared with the slot: the store keeps the due time in whole milliseconds,
        // so a delivery can be claimed a fraction of one before it), and so does one that finds a
        // slot whose time has come while its delivery is not back. The retry timer claims the oldest
        // first, and deliveries older than those booked (due when the 429 came) took every claim,
        // were booked in turn, and none was ever sent: the rate is what counts, and the one booked
        // there takes the next free slot when it is back. Never two within a slot: slots a longer
        // pause left behind would all go at once
        if (!now.isBefore(pace.until) && !now.isBefore(pace.lastGone.plus(pace.spacing).minus(TOLERANCE))
                && (pace.booked.remove(eventId) != null || tookComeSlot(pace, now))) {
            return wentAt(pace, now);
        }
        Instant slot = pace.until.isAfter(pace.nextSlot) ? pace.until : pace.nextSlot;
        if (!slot.isAfter(now)) {
            // a free slot: it goes. The pace ends once a slot has passed with none sent after the
            // pause's own sends (not at the pause's end: what waited for it would go all at once)
            if (pace.booked.isEmpty() && pace.nextSlot.isAfter(pace.until) && !now.isBefore(pace.nextSlot.plus(pace.spacing))) {
                paces.remove(channel);
                return Duration.ZERO;
            }
            return wentAt(pace, now);
        }
        if (slot.isAfter(now.plus(HORIZON))) {
            // beyond the horizon: it waits, unbooked, until the horizon (or the pause's end), and books a slot then
            return Duration.between(now, pace.until.isAfter(now.plus(HORIZON)) ? pace.until : now.plus(HORIZON));
        }
        pace.nextSlot = slot.plus(pace.spacing);
        pace.booked.put(eventId, slot);
        return Duration.between(now, slot);
    }

    /** Gives the earliest booked slot whose time has come to the one asking; false when there is none. */
    private static boolean tookComeSlot(Pace pace, Instant now) {
        String come = null;
        for (Map.Entry<String, Instant> booked : pace.booked.entrySet()) {
            if (!booked.getValue().isAfter(now) && (come == null || booked.getValue().isBefore(pace.booked.get(come)))) {
                come = booked.getKey();
            }
        }
        return come != null && pace.booked.remove(come) != null;
    }

    /** One goes now: the next a slot later. */
    private static Duration wentAt(Pace pace, Instant now) {
        pace.lastGone = now;
        if (!pace.nextSlot.isAfter(now)) {
            pace.nextSlot = now.plus(pace.spacing);
        }
        return Duration.ZERO;
    }
}
