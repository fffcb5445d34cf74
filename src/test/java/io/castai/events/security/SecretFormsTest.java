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
}
