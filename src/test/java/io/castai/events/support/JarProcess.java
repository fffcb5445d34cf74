package io.castai.events.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The packaged service as its own process: {@code java -jar target/castai-events.jar} from the
 * repository root, configured by environment variables, its output in a file.
 */
public final class JarProcess implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Process process;
    private final int port;
    private final Path output;

    private JarProcess(Process process, int port, Path output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    public static JarProcess start(Map<String, String> env) {
        return start(new File("."), "target/castai-events.jar", env);
    }

    /** From another working directory, as the container image runs it (WORKDIR /app). */
    public static JarProcess start(File workDir, String jar, Map<String, String> env) {
        try {
            int port = RunningService.freePort();
            Path output = Files.createTempFile("castai-events-jar", ".log");
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar)
                    .directory(workDir)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("SERVER_PORT", String.valueOf(port));
            builder.environment().putAll(env);
            JarProcess started = new JarProcess(builder.start(), port, output);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> started.get("/observe/health/live").statusCode() == 200);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a start that ends by itself (a refused configuration) printed, and its exit code. */
    public record Ended(int exitCode, String output) {
    }

    /** Runs the jar from the repository root until it exits by itself (at most 60 s). */
    public static Ended runUntilItExits(Map<String, String> env) {
        return runUntilItExits(new File("."), env);
    }

    /** The same, from another working directory. */
    public static Ended runUntilItExits(File workDir, Map<String, String> env) {
        try {
            Path output = Files.createTempFile("castai-events-jar", ".log");
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    Path.of("target/castai-events.jar").toAbsolutePath().toString())
                    .directory(workDir)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("SERVER_PORT", String.valueOf(RunningService.freePort()));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("still running after 60 s: " + Files.readString(output));
            }
            return new Ended(process.exitValue(), Files.readString(output));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return port;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postEvent(String json) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/castai/events"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM, as Kubernetes stops a pod; true when the process exited in time. */
    public boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(40, TimeUnit.SECONDS);
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int exitCode() {
        return process.exitValue();
    }

    public String log() throws IOException {
        return Files.readString(output);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
