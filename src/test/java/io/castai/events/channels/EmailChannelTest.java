package io.castai.events.channels;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Whom a rendered mail goes to: only mailboxes channels.yaml gives its channel. */
class EmailChannelTest {
    private static final Channels CHANNELS = ChannelsFile.parse("channels.yaml", """
            channels:
              - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: ["Ops <ops@example.com>"]}
            rules:
              - {eventTypes: [page.*], channels: [mail], recipients: [oncall@example.com]}
            default: [log]
            """, name -> null);

    @Test
    void aMailboxIsKnownWhateverItsDisplayNameOrCase() {
        EmailChannel.Recipients recipients = EmailChannel.recipients(CHANNELS, "mail",
                new EmailChannel.Rendered("s", List.of("OPS@example.com", "On call <oncall@example.com>", "x@evil.example"), "b"));

        assertThat(recipients.to()).containsExactly("OPS@example.com", "On call <oncall@example.com>");
        assertThat(recipients.leftOut()).containsExactly("x@evil.example");
    }

    @Test
    void eachMailboxIsMailedOnceHoweverOftenItIsNamed() {
        // two rules naming one person differently (a display name, upper case) mailed them twice
        EmailChannel.Recipients recipients = EmailChannel.recipients(CHANNELS, "mail", new EmailChannel.Rendered("s",
                List.of("Ops <ops@example.com>", "oncall@example.com", "OPS@example.com", "Other <ops@example.com>"), "b"));

        assertThat(recipients.to()).containsExactly("Ops <ops@example.com>", "oncall@example.com");
    }

    @Test
    void withoutAKnownOneTheChannelsOwnToIsUsed() {
        EmailChannel.Recipients recipients = EmailChannel.recipients(CHANNELS, "mail",
                new EmailChannel.Rendered("s", List.of(), "b"));

        assertThat(recipients.to()).containsExactly("Ops <ops@example.com>");
        assertThat(recipients.leftOut()).isEmpty();
    }
}
