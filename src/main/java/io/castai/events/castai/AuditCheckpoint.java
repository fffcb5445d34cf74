package io.castai.events.castai;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where the audit-log poller of one cluster stands: the time window being read and the cursor
 * of the next page ({@code from}, {@code to}, {@code cursor}, as CAST AI's own receiver keeps
 * it). Saved after every page, atomically, under {@code DATA_DIR/castai-audit/}, so a restart
 * neither misses nor repeats entries.
 */
public record AuditCheckpoint(Instant from, Instant to, String cursor) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** True once every page of the window has been read. */
    public boolean windowDone() {
        return cursor == null || cursor.isEmpty();
    }

    public static Optional<AuditCheckpoint> load(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return Optional.of(new AuditCheckpoint(Instant.parse(node.get("from").asText()),
                    Instant.parse(node.get("to").asText()), node.path("cursor").asText("")));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("unreadable audit checkpoint " + file + ": delete it to start over", e);
        }
    }

    public void save(Path file) {
        ObjectNode node = JSON.createObjectNode()
                .put("from", from.toString())
                .put("to", to.toString())
                .put("cursor", cursor == null ? "" : cursor);
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temp, JSON.writeValueAsBytes(node));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save audit checkpoint " + file, e);
        }
    }
}
