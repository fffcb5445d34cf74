package io.castai.events.castai;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.Store;
import io.castai.events.support.MutableClock;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.castai.events.support.RunningService.fixture;
import static org.assertj.core.api.Assertions.assertThat;

class SavingsPollTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String summary(String json) throws Exception {
        Map<String, Object> details = new LinkedHashMap<>();
        return SavingsPoll.summary(JSON.readTree(json), "prod", details);
    }

    @Test
    void theBestMonthlySavingIsPickedWithTwoDecimals() throws Exception {
        assertThat(summary(fixture("castai-api/estimated-savings.json")))
                .isEqualTo("Daily CAST AI savings: 1200.12 USD/month for cluster prod "
                        + "(current cost 3000.30 USD/month; best option: spotInstances)");
    }

    @Test
    void missingOrMalformedFiguresAreSaidPlainly() throws Exception {
        assertThat(summary("{}")).isEqualTo("Daily CAST AI savings: no estimate available for cluster prod "
                + "(no recommendation with readable monthly prices; current cost unknown)");
        String malformed = "{\"currentConfiguration\":{\"totalPrice\":{\"monthly\":\"12.5\"}},"
                + "\"recommendations\":{\"spot\":{\"monthly\":{\"priceBefore\":\"abc\",\"priceAfter\":null}}}}";
        assertThat(summary(malformed)).startsWith("Daily CAST AI savings: no estimate available for cluster prod")
                .endsWith("current cost 12.50 USD/month)").doesNotContain("null");
    }

    @Test
    void aRecommendationWithUnreadablePricesIsSkipped() throws Exception {
        String mixed = "{\"recommendations\":{\"bad\":{\"monthly\":{\"priceBefore\":\"x\",\"priceAfter\":\"1\"}},"
                + "\"good\":{\"monthly\":{\"priceBefore\":\"10\",\"priceAfter\":\"7.555\"}}}}";
        assertThat(summary(mixed)).startsWith("Daily CAST AI savings: 2.45 USD/month for cluster prod")
                .contains("current cost unknown", "best option: good");
    }

    @Test
    void recommendationsThatCostMoreAreNoSaving() throws Exception {
        String dearer = "{\"currentConfiguration\":{\"totalPrice\":{\"monthly\":\"100\"}},"
                + "\"recommendations\":{\"a\":{\"monthly\":{\"priceBefore\":\"100\",\"priceAfter\":\"112\"}},"
                + "\"b\":{\"monthly\":{\"priceBefore\":\"100\",\"priceAfter\":\"100\"}}}}";
        Map<String, Object> details = new LinkedHashMap<>();
        assertThat(SavingsPoll.summary(JSON.readTree(dearer), "prod", details)).isEqualTo(
                "Daily CAST AI savings: none found for cluster prod (current cost 100.00 USD/month; no recommendation costs less)");
        assertThat(details).containsEntry("monthlySavingsUsd", "0.00").containsEntry("currentMonthlyCostUsd", "100.00")
                .doesNotContainKey("bestRecommendation");
        String underACent = "{\"recommendations\":{\"a\":{\"monthly\":{\"priceBefore\":\"100\",\"priceAfter\":\"99.996\"}}}}";
        assertThat(SavingsPoll.summary(JSON.readTree(underACent), "prod", new LinkedHashMap<>()))
                .startsWith("Daily CAST AI savings: none found for cluster prod");
    }

    @Test
    void aRunAcrossMidnightRecordsTheDayItStartedOn(@TempDir Path dataDir) {
        Outbox outbox = new Outbox(Store.sqlite(dataDir), Clock.systemUTC(), Duration.ofMinutes(2), Duration.ofHours(24));
        outbox.start();
        try {
            MutableClock clock = new MutableClock(Instant.parse("2026-11-27T23:59:59Z"));
            SavingsPoll poll = new SavingsPoll(new CastaiApi("k", "http://castai", "c-1"), outbox, clock, ZoneOffset.UTC);
            Exchange run = new DefaultExchange(new DefaultCamelContext());
            run.getMessage().setBody("c-1");
            poll.begin(run);
            clock.advance(Duration.ofSeconds(3));
            poll.posted(run);

            assertThat(poll.postedToday(run)).as("the run's own day").isTrue();
            Exchange nextDay = new DefaultExchange(new DefaultCamelContext());
            nextDay.getMessage().setBody("c-1");
            poll.begin(nextDay);
            assertThat(poll.postedToday(nextDay)).as("the new day's summary is still to be posted").isFalse();
        } finally {
            outbox.stop();
        }
    }
}
