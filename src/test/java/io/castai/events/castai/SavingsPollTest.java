package io.castai.events.castai;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

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
}
