package io.castai.events.delivery;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import io.castai.events.outbox.ChannelMessage;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.Store;
import io.castai.events.support.LogCapture;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the retry timer claims, and what it tells other replicas, when claims fail. */
class DueDeliveriesTest {
    @TempDir
    Path dataDir;
    private Outbox outbox;
    private CamelContext context;

    @BeforeEach
    void start() throws Exception {
        outbox = new Outbox(Store.sqlite(dataDir), Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        outbox.start();
        context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:channel-slack").routeId("channel-slack").autoStartup(false).log("${body}");
            }
        });
        context.start();
    }

    @AfterEach
    void stop() {
        context.stop();
        outbox.stop();
    }

    @Test
    void aChannelWhoseClaimKeepsFailingIsStillSaidToBeServed() throws Exception {
        // a due delivery the store refuses to lease: the channel's every claim fails
        dueForSlack("refused-1");
        sql("CREATE TRIGGER refuse_leases BEFORE UPDATE OF leased_until ON deliveries WHEN NEW.leased_until > 0 "
                + "BEGIN SELECT RAISE(FAIL, 'refused'); END");

        DueDeliveries due = new DueDeliveries(outbox, new ChannelPause(Clock.systemUTC()), 100, Long.MAX_VALUE,
                Duration.ofMinutes(10), Clock.systemUTC());
        assertThatThrownBy(() -> due.claim(context)).isInstanceOf(RuntimeException.class);
        // else its word lapses after 90 s, and a replica without slack sweeps its deliveries into dead letters
        assertThat(query("SELECT name FROM leases")).singleElement().asString().startsWith("serves/slack/");
    }

    @Test
    void aDeliveryTheStoreRefusesToLeaseIsToldOfAndTheOthersAreStillClaimed() throws Exception {
        dueForSlack("refused-1");
        dueForSlack("fine-1");
        sql("CREATE TRIGGER refuse_one_lease BEFORE UPDATE OF leased_until ON deliveries "
                + "WHEN NEW.leased_until > 0 AND NEW.event_id = 'refused-1' BEGIN SELECT RAISE(FAIL, 'refused'); END");

        DueDeliveries due = new DueDeliveries(outbox, new ChannelPause(Clock.systemUTC()), 100, Long.MAX_VALUE,
                Duration.ofMinutes(10), Clock.systemUTC());
        try (LogCapture log = LogCapture.attach()) {
            assertThat(due.claim(context)).extracting(d -> d.event().getId()).containsExactly("fine-1");
            // one line says a delivery waits, else a store refusing one row would go unseen
            assertThat(log.linesContaining("due deliveries could not be claimed")).singleElement().asString()
                    .startsWith("WARN").contains("1 of 2 due deliveries could not be claimed, and wait for the next try");
        }
    }

    @Test
    void aReplicaThatNeverSaidItServedItsChannelsHasNothingToWithdraw(@TempDir Path away) throws Exception {
        // a start-up that failed before the timer's first claim (the database away): the store is not
        // asked, so the stop names no failed withdrawal before the line that says why it did not start
        Outbox unreachable = new Outbox(Store.sqlite(away), Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        unreachable.start();
        unreachable.stop();
        assertThatCode(new DueDeliveries(unreachable, new ChannelPause(Clock.systemUTC()), 100, Long.MAX_VALUE,
                Duration.ofMinutes(10), Clock.systemUTC())::stopServing).doesNotThrowAnyException();

        DueDeliveries due = new DueDeliveries(outbox, new ChannelPause(Clock.systemUTC()), 100, Long.MAX_VALUE,
                Duration.ofMinutes(10), Clock.systemUTC());
        due.claim(context);
        assertThat(query("SELECT name FROM leases")).as("said at the first claim").isNotEmpty();
        due.stopServing();
        assertThat(query("SELECT name FROM leases")).as("withdrawn once said").isEmpty();
    }

    /** An event accepted with a Slack delivery, its lease let go: due for the retry timer. */
    private void dueForSlack(String id) {
        NotificationEvent event = new NotificationEvent(id, "node.added", Severity.INFO, "c-1", "prod", null,
                "t", "s", Map.of(), NotificationEvent.ORIGIN_EVENT);
        List<ChannelMessage> recorded = outbox.accept(event, List.of(new ChannelMessage("slack", "m", "slack")));
        outbox.release(id, "slack", recorded.get(0).leasedUntil());
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("castai-events.db"));
             Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private List<String> query(String select) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("castai-events.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
