package io.castai.events.channels;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;

/**
 * One rule of channels.yaml: events whose type matches one of the globs ({@code node.*}), at
 * least as severe as {@code minSeverity}, from one of the clusters (id or name) go to the
 * channels. An empty condition matches everything. {@code continueMatching} lets later rules
 * match too.
 */
public record RoutingRule(String name, List<Pattern> eventTypes, Severity minSeverity, List<String> clusters,
                          List<String> channels, List<String> recipients, boolean continueMatching) {

    public boolean matches(NotificationEvent event) {
        return matchesType(event.getType()) && severeEnough(event.getSeverity()) && fromCluster(event);
    }

    /** Matches every event (no condition, or only the type {@code *}). */
    public boolean matchesEverything() {
        String any = glob("*").pattern();
        return (eventTypes.isEmpty() || eventTypes.stream().anyMatch(p -> p.pattern().equals(any)))
                && minSeverity == null && clusters.isEmpty();
    }

    /**
     * Whether every event {@code later} could match is taken by this rule first (it does not let
     * later rules match): {@code later} then never matches. Conditions compared as written: a type
     * glob of {@code later} is covered only by {@code *} or the same glob.
     */
    public boolean takesEveryEventOf(RoutingRule later) {
        if (continueMatching) {
            return false;
        }
        boolean severities = minSeverity == null
                || later.minSeverity != null && later.minSeverity.ordinal() <= minSeverity.ordinal();
        boolean fromClusters = clusters.isEmpty() || !later.clusters.isEmpty() && clusters.containsAll(later.clusters);
        String any = glob("*").pattern();
        boolean types = eventTypes.isEmpty() || eventTypes.stream().anyMatch(p -> p.pattern().equals(any))
                || !later.eventTypes.isEmpty() && later.eventTypes.stream().allMatch(type -> eventTypes.stream()
                        .anyMatch(p -> p.pattern().equals(type.pattern()) || !type.pattern().contains(".*")
                                && p.matcher(literal(type)).matches()));
        return severities && fromClusters && types;
    }

    /** The type a glob without {@code *} stands for (it is one quoted literal). */
    private static String literal(Pattern glob) {
        String quoted = glob.pattern();
        return quoted.startsWith("\\Q") && quoted.endsWith("\\E") ? quoted.substring(2, quoted.length() - 2) : quoted;
    }

    /** Whether events of this type can match (the type condition alone). */
    public boolean matchesType(String type) {
        return eventTypes.isEmpty() || (type != null && eventTypes.stream().anyMatch(p -> p.matcher(type).matches()));
    }

    private boolean severeEnough(Severity severity) {
        // most severe first: CRITICAL has the lowest ordinal
        return minSeverity == null || (severity != null && severity.ordinal() <= minSeverity.ordinal());
    }

    private boolean fromCluster(NotificationEvent event) {
        // an event may name its cluster by id or name only (List.contains(null) throws)
        return clusters.isEmpty() || (event.getClusterId() != null && clusters.contains(event.getClusterId()))
                || (event.getClusterName() != null && clusters.contains(event.getClusterName()));
    }

    /** A glob where {@code *} stands for any characters, dots included. */
    public static Pattern glob(String glob) {
        return Pattern.compile(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*")));
    }
}
