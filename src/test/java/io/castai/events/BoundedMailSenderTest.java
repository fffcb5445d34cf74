package io.castai.events;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.castai.events.delivery.DeliveryFailure;
import io.castai.events.outbound.BoundedMailSender;
import io.castai.events.support.ScriptedSmtp;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * An SMTP send is bounded as a whole, as an HTTP call is: a server that answers every command
 * just inside the per-reply timeout cannot hold a send (and so a delivery's lease) for minutes.
 */
class BoundedMailSenderTest {
    private static final long CALL_TIMEOUT_MS = 1500;

    @Test
    void aServerAnsweringEachCommandSlowlyIsCutOffAtTheCallTimeoutAndTheAttemptRetried() throws Exception {
        // each reply 700 ms after its command: well inside the 10 s per-reply timeout
        Sent sent = sendTo(BoundedMailSenderTest::answerSlowly, null);

        assertThat(sent.failure()).as("the send failed").isNotNull();
        // EHLO, MAIL, RCPT, DATA, the message and QUIT would take 4 s or more
        assertThat(sent.tookMs()).as("cut off near the call timeout").isLessThan(3500);
        DeliveryFailure classified = DeliveryFailure.classify(sent.failure());
        assertThat(classified.retryable()).isTrue();
        assertThat(classified.description()).contains("HTTP_CALL_TIMEOUT_MS");
    }

    @Test
    void aLoginCutOffAtTheCallTimeoutIsRetriedNotTakenForRefusedCredentials() throws Exception {
        // offers AUTH PLAIN, then never answers the login (Angus Mail would log in again on a new connection)
        Sent sent = sendTo(BoundedMailSenderTest::neverAnswerTheLogin, "mailer");

        assertThat(sent.failure()).isNotNull();
        assertThat(sent.tookMs()).as("cut off near the call timeout, a second login included").isLessThan(3500);
        DeliveryFailure classified = DeliveryFailure.classify(sent.failure());
        assertThat(classified.retryable()).as(classified.reason()).isTrue();
        assertThat(classified.description()).contains("HTTP_CALL_TIMEOUT_MS");
    }

    private record Sent(MessagingException failure, long tookMs) {
    }

    private interface SmtpStandIn {
        Void serve(ServerSocket listening) throws Exception;
    }

    /** One mail sent through a BoundedMailSender to this stand-in (logging in as {@code username} unless null). */
    private static Sent sendTo(SmtpStandIn standIn, String username) throws Exception {
        ExecutorService server = Executors.newSingleThreadExecutor();
        try (ServerSocket listening = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            server.submit(() -> standIn.serve(listening));
            BoundedMailSender sender = new BoundedMailSender("smtp", CALL_TIMEOUT_MS);
            sender.setHost("127.0.0.1");
            sender.setPort(listening.getLocalPort());
            sender.addAdditionalJavaMailProperty("mail.smtp.timeout", "10000");
            if (username != null) {
                sender.setUsername(username);
                sender.setPassword("Smtp5ecretPw");
                sender.addAdditionalJavaMailProperty("mail.smtp.auth", "true");
            }
            MimeMessage mail = new MimeMessage(sender.getSession());
            mail.setFrom("alerts@example.com");
            mail.setRecipients(MimeMessage.RecipientType.TO, "oncall@example.com");
            mail.setSubject("slow");
            mail.setText("body");

            long start = System.nanoTime();
            MessagingException failure = catchThrowableOfType(() -> sender.send(mail), MessagingException.class);
            return new Sent(failure, (System.nanoTime() - start) / 1_000_000);
        } finally {
            server.shutdownNow();
        }
    }

    /** Greets, offers AUTH PLAIN to EHLO, and then says nothing more, on every connection. */
    private static Void neverAnswerTheLogin(ServerSocket listening) throws Exception {
        while (!Thread.currentThread().isInterrupted()) {
            Socket client = listening.accept();
            Thread handler = new Thread(() -> {
                try (client; BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII))) {
                    OutputStream out = client.getOutputStream();
                    out.write("220 slow.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (line.startsWith("EHLO")) {
                            out.write("250-slow.example\r\n250 AUTH PLAIN LOGIN\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                } catch (Exception e) {
                    // the client went away
                }
            });
            handler.setDaemon(true);
            handler.start();
        }
        return null;
    }

    /** A one-connection SMTP server that answers every command, 700 ms late. */
    private static Void answerSlowly(ServerSocket listening) throws Exception {
        ScriptedSmtp.serveOne(listening, command -> 700);
        return null;
    }
}
