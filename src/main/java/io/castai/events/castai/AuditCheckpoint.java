package io.castai.events.castai;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where the audit-log poller of one cluster stands: the time window being read and the cursor
 * of the next page ({@code from}, {@code to}, {@code cursor}, as CAST AI's own receiver keeps
 * it). Saved in the outbox's store after every page, so a restart, or another replica taking
 * over, neither misses nor repeats entries. Versions before the shared store kept it as a file
 * under {@code DATA_DIR/castai-audit/}; such a file is still read once.
 */
public record AuditCheckpoint(Instant from, Instant to, String cursor) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** True once every page of the window has been read. */
    public boolean windowDone() {
        return cursor == null || cursor.isEmpty();
    }

    /** A checkpoint that has the next run open its window at {@code from}, with no overlap before it. */
    public static AuditCheckpoint restartAt(Instant from) {
        return new AuditCheckpoint(from, from, "");
    }

    /** Saved by {@link #restartAt}: a run never saves an empty window of its own (it reads no page of one). */
    public boolean restartsWindow() {
        return windowDone() && from.equals(to);
    }

    /** A checkpoint file left by an earlier version, if there is one. */
    public static Optional<AuditCheckpoint> loadLegacy(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(Files.readString(file)));
        } catch (IOException | RuntimeException e) {
            throw new UnreadableCheckpointException("unreadable audit checkpoint " + file + ": delete it to start over", e);
        }
    }

    /** {@code name}: the checkpoint's name in the store, for the message should it not be read. */
    public static AuditCheckpoint fromJson(String json, String name) {
        try {
            return parse(json);
        } catch (IOException | RuntimeException e) {
            throw new UnreadableCheckpointException("unreadable audit checkpoint '" + name + "' in the store (table "
                    + "checkpoints): delete that row to start over from CASTAI_AUDIT_LOOKBACK", e);
        }
    }

    private static AuditCheckpoint parse(String json) throws IOException {
        JsonNode node = JSON.readTree(json);
        return new AuditCheckpoint(Instant.parse(node.get("from").asText()),
                Instant.parse(node.get("to").asText()), node.path("cursor").asText(""));
    }

    public String toJson() {
        ObjectNode node = JSON.createObjectNode()
                .put("from", from.toString())
                .put("to", to.toString())
                .put("cursor", cursor == null ? "" : cursor);
        return node.toString();
    }
}
