package io.castai.events.support;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.ToLongFunction;

/** A one-connection SMTP server that accepts every mail, each reply after the delay given for its command. */
public final class ScriptedSmtp {
    /** What the message's last line (".") is called when asking for its reply's delay. */
    public static final String END_OF_MESSAGE = ".";

    private ScriptedSmtp() {
    }

    /** Serves one connection to its end; returns the number of mails it queued. */
    public static int serveOne(ServerSocket listening, ToLongFunction<String> delayMsBeforeReplyTo) throws Exception {
        int queued = 0;
        try (Socket client = listening.accept();
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII))) {
            OutputStream out = client.getOutputStream();
            out.write("220 stand-in.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            boolean inData = false;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (inData && !line.equals(END_OF_MESSAGE)) {
                    continue;
                }
                Thread.sleep(delayMsBeforeReplyTo.applyAsLong(line));
                String reply;
                if (inData) {
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
