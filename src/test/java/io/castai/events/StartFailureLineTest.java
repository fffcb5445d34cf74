package io.castai.events;

import java.sql.SQLException;

import io.castai.events.outbox.OutboxException;
import org.apache.camel.FailedToStartRouteException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one line a failed start logs instead of a stack trace, and when it keeps the trace. */
class StartFailureLineTest {
    @Test
    void theDatabasesReasonIsSaidOnce() {
        SQLException notADatabase = new SQLException("[SQLITE_NOTADB] File opened that is not a database file");
        Throwable failed = new FailedToStartRouteException("accept-event", "failed", new OutboxException(
                "cannot open the outbox (/data/castai-events.db): [SQLITE_NOTADB] File opened that is not a database file",
                notADatabase));

        assertThat(App.knownReason(failed)).isEqualTo("the outbox cannot be used: cannot open the outbox "
                + "(/data/castai-events.db): [SQLITE_NOTADB] File opened that is not a database file");
    }

    @Test
    void aDatabaseLostOnTheWayIsOneLineToo() {
        // PostgreSQL's failures end in an I/O cause under the driver's SQLException
        Throwable failed = new FailedToStartRouteException("accept-event", "failed", new OutboxException(
                "cannot read recent event ids", new SQLException("An I/O error occurred while sending to the backend.",
                        "08006", new java.io.EOFException())));

        assertThat(App.knownReason(failed)).isEqualTo("the outbox cannot be used: cannot read recent event ids "
                + "(An I/O error occurred while sending to the backend.)");
    }

    @Test
    void aBugWrappedOnItsWayThroughTheStoreKeepsItsTrace() {
        Throwable failed = new FailedToStartRouteException("accept-event", "failed",
                new OutboxException("cannot write to the outbox (/data/castai-events.db)", new NullPointerException()));

        assertThat(App.knownReason(failed)).as("null: logged with its stack trace").isNull();
    }

    @Test
    void aCamelOptionCamelDoesNotHaveIsOneLine() {
        Exception failed = new RuntimeException(new IllegalArgumentException("Cannot find getter method: route on bean: "
                + "class org.apache.camel.component.micrometer.prometheus.MicrometerPrometheus when binding property: route.policy.levl"));
        assertThat(App.knownReason(failed)).isEqualTo("CAMEL_METRICS_ROUTE_POLICY_LEVL (camel.metrics.route.policy.levl): "
                + "Camel has no such option; check its spelling against README's table or Camel's options");
        Exception elsewhere = new RuntimeException(new IllegalArgumentException("Cannot find getter method: a on bean: "
                + "class org.example.Other when binding property: a.b"));
        assertThat(App.knownReason(elsewhere)).isEqualTo("a camel.* setting: Camel has no such option ('a.b' of Other); "
                + "check its spelling against README's table or Camel's options");
    }
}
