package io.castai.events.castai;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The API key never survives in text the CAST AI API answered, however that text quotes it. */
class CastaiApiTest {
    private static final String KEY = "CastKey5ECRET0123/abcdef+99";

    @Test
    void theKeyIsMaskedAsWrittenEscapedAndEncoded() {
        CastaiApi api = new CastaiApi(KEY, "https://api.cast.ai", "c1");

        assertThat(api.withoutKey("invalid key " + KEY)).isEqualTo("invalid key <secret>");
        assertThat(api.withoutKey("{\"key\":\"CastKey5ECRET0123\\/abcdef+99\"}")).isEqualTo("{\"key\":\"<secret>\"}");
        assertThat(api.withoutKey("GET /v1?key=CastKey5ECRET0123%2Fabcdef%2B99")).isEqualTo("GET /v1?key=<secret>");
        assertThat(new CastaiApi("", "https://api.cast.ai", "c1").withoutKey("nothing to hide")).isEqualTo("nothing to hide");
    }
}
