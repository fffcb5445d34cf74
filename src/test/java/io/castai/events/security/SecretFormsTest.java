package io.castai.events.security;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecretFormsTest {
    @Test
    void aSigningSecretsKeyWithoutItsPrefixIsMaskedToo() {
        // the base64 after whsec_ is the HMAC key itself: anyone holding it can sign
        String secret = "whsec_c3VwZXJzZWNyZXRzaWduaW5na2V5MDEyMzQ1Njc4OSE=";
        List<String> forms = SecretForms.of(List.of(secret));

        assertThat(SecretForms.without("GET /y/c3VwZXJzZWNyZXRzaWduaW5na2V5MDEyMzQ1Njc4OSE= failed", forms))
                .isEqualTo("GET /y/<secret> failed");
        assertThat(SecretForms.without("GET /x/" + secret + " failed", forms)).isEqualTo("GET /x/<secret> failed");
    }

    @Test
    void aSecretIsMaskedInEachFormAnAnswerOrAUrlMayWriteIt() {
        String secret = "pa ss/wörd&<1>~!";
        List<String> forms = SecretForms.of(List.of(secret));

        for (String written : List.of(secret,
                "pa+ss%2Fw%C3%B6rd%26%3C1%3E%7E%21", // a form's encoding
                "pa%20ss%2Fw%C3%B6rd%26%3C1%3E%7E%21", // with %20 for the space
                "pa+ss/w%C3%B6rd%26%3C1%3E%7E%21", // / left as it is
                "pa%20ss%2Fw%C3%B6rd%26%3C1%3E~!", // as encodeURIComponent writes it
                "pa ss\\/wörd\\u0026\\u003c1\\u003e~!", // JSON, Go's HTML-safe escapes
                "pa ss/wÃ¶rd&<1>~!")) { // UTF-8 read as Latin-1
            assertThat(SecretForms.without("answer: " + written + ".", forms)).as(written).isEqualTo("answer: <secret>.");
        }
    }
}
