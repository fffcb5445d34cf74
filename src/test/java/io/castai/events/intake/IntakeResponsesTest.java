package io.castai.events.intake;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IntakeResponsesTest {
    @Test
    void anUnexpectedFailureIsLoggedWithWhereTheServiceThrewItAndNotItsMessage() {
        RuntimeException failure = new RuntimeException("https://hooks.slack.com/services/T/B/secret");

        assertThat(IntakeResponses.thrownAt(failure))
                .startsWith(" at io.castai.events.intake.IntakeResponsesTest.anUnexpectedFailure")
                .doesNotContain("secret");
    }
}
