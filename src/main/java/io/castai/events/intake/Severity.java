package io.castai.events.intake;

import java.util.Locale;

/** CAST AI's notification severities, most severe first. */
public enum Severity {
    CRITICAL, ERROR, WARNING, INFO, SUCCESS;

    /** Parses a severity name case-insensitively; null when the name is not one of ours. */
    public static Severity parse(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** True for the severities that page someone (CRITICAL and ERROR). */
    public boolean isPaging() {
        return this == CRITICAL || this == ERROR;
    }

    /** PagerDuty Events API v2 severity: critical, error, warning or info. */
    public String pagerDutySeverity() {
        return switch (this) {
            case CRITICAL -> "critical";
            case ERROR -> "error";
            case WARNING -> "warning";
            case INFO, SUCCESS -> "info";
        };
    }
}
