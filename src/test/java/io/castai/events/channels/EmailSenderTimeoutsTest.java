package io.castai.events.channels;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.castai.events.support.ScriptedSmtp;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.component.mail.JavaMailSender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mail server that scans a message before its 250 is waited for, up to the whole send's bound:
 * given up on at the (HTTP) response timeout, the mail was sent again and arrived twice.
 */
class EmailSenderTimeoutsTest {
    private static final int RESPONSE_TIMEOUT_MS = 300;
    private static final long CALL_TIMEOUT_MS = 5000;

    @Test
    void theFinalReplyAfterTheMessageIsWaitedForPastTheResponseTimeout() throws Exception {
        ExecutorService server = Executors.newSingleThreadExecutor();
        try (ServerSocket listening = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            // every command answered at once, the message's 250 only after a 1.2 s scan
            Future<Integer> accepted = server.submit(() -> ScriptedSmtp.serveOne(listening,
                    command -> ScriptedSmtp.END_OF_MESSAGE.equals(command) ? 1200 : 0));
            Channels channels = ChannelsFile.parse("channels.yaml", """
                    channels:
                      - {name: mail, type: email, host: 127.0.0.1, port: %d, tls: none, from: a@example.com, to: [ops@example.com]}
                    rules: []
                    default: [mail]
                    """.formatted(listening.getLocalPort()), name -> null);
            JavaMailSender sender = new EmailChannel(channels, 1000, RESPONSE_TIMEOUT_MS, CALL_TIMEOUT_MS)
                    .sender(channels.get("mail"));
            MimeMessage mail = new MimeMessage(sender.getSession());
            mail.setFrom("a@example.com");
            mail.setRecipients(MimeMessage.RecipientType.TO, "ops@example.com");
            mail.setSubject("scanned");
            mail.setText("body");

            sender.send(mail); // throws if given up on

            assertThat(accepted.get()).as("messages the server queued").isEqualTo(1);
        } finally {
            server.shutdownNow();
        }
    }
}
