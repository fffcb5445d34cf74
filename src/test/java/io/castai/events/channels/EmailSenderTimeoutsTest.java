package io.castai.events.channels;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
            Future<Integer> accepted = server.submit(() -> acceptAfterScanning(listening, 1200));
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

    /** One connection: every command answered at once, the message's 250 only after {@code scanMs}. */
    private static int acceptAfterScanning(ServerSocket listening, long scanMs) throws Exception {
        int queued = 0;
        try (Socket client = listening.accept();
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII))) {
            OutputStream out = client.getOutputStream();
            out.write("220 scan.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            boolean inData = false;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (inData && !line.equals(".")) {
                    continue;
                }
                String reply;
                if (inData) {
                    Thread.sleep(scanMs);
                    queued++;
                    reply = "250 queued";
                } else {
                    reply = line.startsWith("DATA") ? "354 go on" : line.startsWith("QUIT") ? "221 bye" : "250 ok";
                }
                inData = !inData && line.startsWith("DATA");
                out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        return queued;
    }
}
