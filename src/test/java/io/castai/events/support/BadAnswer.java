package io.castai.events.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import com.sun.net.httpserver.HttpExchange;

/**
 * Answers no well-behaved server gives, for the outbound call limits: a 200 whose body trickles
 * in a byte every 100 ms (each wait far under the client's response timeout) for up to 20 s, one
 * whose body goes on for 64 MiB (both stop early when the client hangs up), and a 500 in gzip,
 * never asked for, of 16 KiB that would inflate to 16 MiB of "A"; or no answer at all (the
 * connection closed).
 */
public enum BadAnswer {
    TRICKLE, ENDLESS, GZIP_BOMB, HANG_UP;

    private static final long TRICKLE_FOR_MILLIS = 20_000;
    private static final long ENDLESS_BYTES = 64L << 20;

    public void writeTo(HttpExchange exchange) {
        if (this == HANG_UP) {
            exchange.close(); // no status sent: the connection is closed
            return;
        }
        if (this == GZIP_BOMB) {
            writeBomb(exchange);
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(200, 0); // chunked: no length to tell the client it is done
            out.write("{\"items\":[".getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (this == TRICKLE) {
                long end = System.currentTimeMillis() + TRICKLE_FOR_MILLIS;
                while (System.currentTimeMillis() < end) {
                    Thread.sleep(100);
                    out.write(' ');
                    out.flush();
                }
            } else {
                byte[] spaces = new byte[16 * 1024];
                Arrays.fill(spaces, (byte) ' ');
                for (long sent = 0; sent < ENDLESS_BYTES; sent += spaces.length) {
                    out.write(spaces);
                }
            }
            out.write("]}".getBytes(StandardCharsets.UTF_8));
        } catch (IOException hungUp) {
            // the client gave up on the answer: what the limits are for
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private static void writeBomb(HttpExchange exchange) {
        try (OutputStream out = exchange.getResponseBody()) {
            byte[] bomb = gzippedAs();
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            exchange.sendResponseHeaders(500, bomb.length);
            out.write(bomb);
        } catch (IOException hungUp) {
            // nothing more to send
        } finally {
            exchange.close();
        }
    }

    private static byte[] gzippedAs() throws IOException {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            byte[] as = new byte[64 * 1024];
            Arrays.fill(as, (byte) 'A');
            for (int i = 0; i < 256; i++) {
                gzip.write(as);
            }
        }
        return gzipped.toByteArray();
    }
}
