package io.castai.events;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castai.events.support.HttpStandIn;
import io.castai.events.support.LogCapture;
import io.castai.events.support.Postgres;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What cannot be delivered is kept, listed, replayed or discarded through the authenticated admin API. */
class DeadLetterTest {
    private static final String ADMIN_TOKEN = "admin-token-5ecre7";
    /** One webhook channel, alerts, that every event goes to. */
    private static final String ALERTS_AS_WEBHOOK = """
            channels:
              - {name: alerts, type: webhook, url: "${HOOK_URL}"}
            rules:
              - {name: all, eventTypes: ["*"], channels: [alerts]}
            default: [log]
            """;
    /** The same channel made a Slack channel, and a webhook beside it for what was rendered before. */
    private static final String ALERTS_AS_SLACK = """
            channels:
              - {name: alerts, type: slack, webhookUrl: "${CHAT_URL}"}
              - {name: alerts-hook, type: webhook, url: "${HOOK_URL}"}
            rules:
              - {name: all, eventTypes: ["*"], channels: [alerts]}
            default: [log]
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRejectedDeliveryIsKeptAndReplayedAfterTheFix() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack();
             RunningService service = withSlackAt(slack, "/hook")) {
            slack.respondByDefault(400, "invalid_payload");
            service.postEvent(nodeAdded("dead-1"));
            slack.awaitRequests(1);

            JsonNode dead = theOneDeadLetter(service);
            assertThat(dead.get("eventId").asText()).isEqualTo("dead-1");
            assertThat(dead.get("channel").asText()).isEqualTo("slack");
            assertThat(dead.get("reason").asText()).isEqualTo("http_4xx permanently");
            assertThat(dead.get("lastResponse").asText()).isEqualTo("HTTP 400: invalid_payload");
            assertThat(dead.get("attempts").asInt()).isEqualTo(1);
            assertThat(dead.get("eventType").asText()).isEqualTo("node.added");
            await().untilAsserted(() -> assertThat(service.get("/observe/metrics").body())
                    .contains("castai_outbox_dead_letters 1.0")
                    .contains("castai_outbox_channel_dead_letters{channel=\"slack\"} 1.0")
                    .contains("castai_outbox_channel_pending{channel=\"slack\"} 0.0")
                    .contains("castai_outbox_channel_dead_letters{channel=\"pagerduty\"} 0.0"));

            // the webhook is fixed; a filter left empty or mistyped replays nothing
            slack.respondByDefault(200, "ok");
            for (String query : List.of("?eventId=", "?eventId=%20", "?id=dead-1", "?eventId=dead-1&chanel=slack")) {
                HttpResponse<String> refused = service.send("POST", "/admin/dead-letters/replay" + query, "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(refused.statusCode()).as(query).isEqualTo(400);
                assertThat(JSON.readTree(refused.body()).get("error").asText()).isNotEmpty();
            }
            HttpResponse<String> form = service.send("POST", "/admin/dead-letters/replay", "evntId=dead-1",
                    "Authorization", "Bearer " + ADMIN_TOKEN, "Content-Type", "application/x-www-form-urlencoded");
            assertThat(form.statusCode()).as("filters in a form body").isEqualTo(400);
            assertThat(deadLetters(service).get("count").asInt()).isEqualTo(1);
            // then the dead letter is replayed and delivered, once
            HttpResponse<String> replay = service.send("POST", "/admin/dead-letters/replay?eventId=dead-1", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(replay.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(replay.body()).get("replayed").asInt()).isEqualTo(1);
            slack.awaitRequests(2);
            assertThat(slack.requests().get(1).body()).isEqualTo(slack.requests().get(0).body());
            await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters(service).get("count").asInt() == 0);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> slack.requests().size() == 2);
        }
    }

    @Test
    void deadLettersOfARenamedChannelAreNamedAtStartUpAndCanBeSentToItsNewName(@TempDir Path directory) throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        Path channels = directory.resolve("channels.yaml");
        String file = """
                channels:
                  - {name: %s, type: webhook, url: "${HOOK_URL}"}
                rules:
                  - {name: all, eventTypes: ["*"], channels: [%s]}
                default: [log]
                """;
        try (HttpStandIn hook = new HttpStandIn(400, "no such hook")) {
            Files.writeString(channels, file.formatted("old-hook", "old-hook"));
            try (RunningService before = withChannels(channels, data, hook).start()) {
                before.postEvent(nodeAdded("renamed-1"));
                await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(before).get("count").asInt() == 1);
            }
            hook.respondByDefault(204, "");
            Files.writeString(channels, file.formatted("new-hook", "new-hook"));
            try (LogCapture log = LogCapture.attach();
                 RunningService after = withChannels(channels, data, hook).start()) {
                // with none pending, nothing is said of pending ones; what is said of dead letters is what a replay moves
                assertThat(log.linesContaining("Channel old-hook is not in channels.yaml, yet the store holds "
                        + "0 pending and 1 dead deliveries for it. Name the channel again, or send its dead letters to another "
                        + "channel of the same type (POST /admin/dead-letters/replay?channel=old-hook&to=<channel>)")).hasSize(1);
                assertThat(after.get("/observe/metrics").body()).as("a gauge to alert on, for the old name too")
                        .contains("castai_outbox_channel_dead_letters{channel=\"old-hook\"} 1.0")
                        .contains("castai_outbox_channel_dead_letters{channel=\"new-hook\"} 0.0");

                // as they are, they would only die again
                HttpResponse<String> refused = after.send("POST", "/admin/dead-letters/replay?channel=old-hook", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(refused.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(refused.body()).get("error").asText())
                        .startsWith("channel old-hook is not in channels.yaml: replay its dead letters to another channel");
                assertThat(after.send("POST", "/admin/dead-letters/replay?channel=old-hook&to=nowhere", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN).statusCode()).isEqualTo(400);

                HttpResponse<String> moved = after.send("POST", "/admin/dead-letters/replay?channel=old-hook&to=new-hook", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(moved.body()).isEqualTo("{\"replayed\":1}");
                await().atMost(Duration.ofSeconds(10)).until(() -> hook.requests().size() == 2);
                assertThat(JSON.readTree(hook.requests().get(1).body()).get("id").asText()).isEqualTo("renamed-1");
                await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters(after).get("count").asInt() == 0);
            }
        }
    }

    @Test
    void aChannelMadeALogChannelUnderTheSameNameSaysSoAndItsDeadLettersGoToAnotherOfTheOldType(@TempDir Path directory)
            throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        Path channels = directory.resolve("channels.yaml");
        try (HttpStandIn hook = new HttpStandIn(400, "no such hook")) {
            Files.writeString(channels, ALERTS_AS_WEBHOOK);
            try (RunningService before = withChannels(channels, data, hook).start()) {
                before.postEvent(nodeAdded("made-log-1"));
                await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(before).get("count").asInt() == 1);
            }
            hook.respondByDefault(204, "");
            Files.writeString(channels, """
                    channels:
                      - {name: alerts, type: log}
                      - {name: alerts-hook, type: webhook, url: "${HOOK_URL}"}
                    rules:
                      - {name: all, eventTypes: ["*"], channels: [alerts, alerts-hook]}
                    default: [log]
                    """);
            try (LogCapture log = LogCapture.attach();
                 RunningService after = withChannels(channels, data, hook).start()) {
                // it is in channels.yaml: "not in channels.yaml (or is off)" was wrong
                assertThat(log.linesContaining("Channel alerts writes to the log (type log), which keeps no deliveries, "
                        + "yet the store holds 0 pending and 1 dead deliveries for it")).hasSize(1);
                HttpResponse<String> refused = after.send("POST", "/admin/dead-letters/replay?channel=alerts", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(refused.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(refused.body()).get("error").asText()).startsWith(
                        "channel alerts writes to the log (type log), which keeps no deliveries: replay its dead letters to another");

                // its dead letters were rendered for a webhook, not for the log: another webhook takes them
                HttpResponse<String> moved = after.send("POST", "/admin/dead-letters/replay?channel=alerts&to=alerts-hook", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(moved.body()).isEqualTo("{\"replayed\":1}");
                await().atMost(Duration.ofSeconds(10)).until(() -> hook.requests().size() == 2);
                assertThat(JSON.readTree(hook.requests().get(1).body()).get("id").asText()).isEqualTo("made-log-1");
            }
        }
    }

    @Test
    void aReplayToAChannelTheEventReachedAlreadySaysWhatItKeptAndAMistypedChannelIsNotAnEmptyList(@TempDir Path directory)
            throws Exception {
        Path channels = Files.writeString(directory.resolve("channels.yaml"), """
                channels:
                  - {name: first, type: webhook, url: "${FIRST_URL}"}
                  - {name: second, type: webhook, url: "${SECOND_URL}"}
                rules:
                  - {name: both, eventTypes: [node.added], channels: [first, second]}
                  - {name: first-only, eventTypes: [node.removed], channels: [first]}
                default: [log]
                """);
        try (HttpStandIn first = new HttpStandIn(400, "no such hook");
             HttpStandIn second = new HttpStandIn(204, "");
             RunningService service = RunningService.builder().property("channels.file", channels)
                     .property("data.dir", Files.createDirectories(directory.resolve("data")))
                     .property("FIRST_URL", first.url("/hook")).property("SECOND_URL", second.url("/hook"))
                     .property("admin.token", ADMIN_TOKEN).start()) {
            service.postEvent(nodeAdded("at-both"));
            service.postEvent("{\"id\":\"at-first\",\"eventType\":\"node.removed\",\"clusterName\":\"prod\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(service, "?channel=first").get("count").asInt() == 2);
            second.awaitRequests(1);

            HttpResponse<String> moved = service.send("POST", "/admin/dead-letters/replay?channel=first&to=second", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            JsonNode answer = JSON.readTree(moved.body());
            assertThat(answer.get("replayed").asInt()).isEqualTo(1);
            assertThat(answer.get("notReplayed").asInt()).as("at-both reached second already").isEqualTo(1);
            assertThat(answer.get("why").asText()).startsWith("1 whose events have a delivery for channel second already");
            await().atMost(Duration.ofSeconds(10)).until(() -> second.requests().size() == 2);
            assertThat(JSON.readTree(second.requests().get(1).body()).get("id").asText()).isEqualTo("at-first");

            HttpResponse<String> mistyped = service.send("GET", "/admin/dead-letters?channel=frist", null,
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(mistyped.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(mistyped.body()).get("error").asText())
                    .isEqualTo("no dead letters for channel frist, which is not in channels.yaml (mistyped?)");
            await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters(service, "?channel=second").get("count").asInt() == 0);
        }
    }

    @Test
    void aChannelWhoseTypeChangedUnderTheSameNameNeverSendsAMessageRenderedForTheOldType(@TempDir Path directory)
            throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        Path channels = directory.resolve("channels.yaml");
        try (HttpStandIn hook = new HttpStandIn(400, "no such hook"); HttpStandIn chat = HttpStandIn.slack()) {
            Files.writeString(channels, ALERTS_AS_WEBHOOK);
            try (RunningService before = withChannels(channels, data, hook).start()) {
                before.postEvent(nodeAdded("typed-dead"));
                await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(before).get("count").asInt() == 1);
                // the next is refused for now: pending, its retry due after the restart
                hook.respondByDefault(503, "busy");
                before.postEvent(nodeAdded("typed-pending"));
                await().atMost(Duration.ofSeconds(10)).until(() -> hook.requests().size() >= 2);
            }
            hook.respondByDefault(204, "");
            int sentBefore = hook.requests().size(); // 2, or more if retries came before the stop
            Files.writeString(channels, ALERTS_AS_SLACK);
            try (RunningService after = withChannels(channels, data, hook).property("CHAT_URL", chat.url("/chat")).start()) {
                // the pending one, rendered for a webhook, is not posted to Slack: kept, saying why
                await().atMost(Duration.ofSeconds(15)).until(() -> deadLetters(after).get("count").asInt() == 2);
                JsonNode kept = deadLetters(after, "?order=newest&limit=1").get("deadLetters").get(0);
                assertThat(kept.get("eventId").asText()).isEqualTo("typed-pending");
                assertThat(kept.get("reason").asText()).isEqualTo("type_changed");
                assertThat(kept.get("lastResponse").asText()).startsWith("its message was rendered for a webhook channel "
                        + "and alerts is a slack channel now");
                assertThat(chat.requests()).isEmpty();

                HttpResponse<String> refused = after.send("POST", "/admin/dead-letters/replay?channel=alerts", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(refused.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("channel alerts is a slack channel "
                        + "now, and these dead letters were rendered for webhook: replay them to a channel of that type with "
                        + "to=<channel>, or discard them");

                HttpResponse<String> moved = after.send("POST", "/admin/dead-letters/replay?channel=alerts&to=alerts-hook", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(moved.body()).isEqualTo("{\"replayed\":2}");
                await().atMost(Duration.ofSeconds(10)).until(() -> hook.requests().size() == sentBefore + 2);
                assertThat(hook.requests().subList(sentBefore, sentBefore + 2)).extracting(r -> JSON.readTree(r.body()).get("id").asText())
                        .containsExactlyInAnyOrder("typed-dead", "typed-pending");
                assertThat(chat.requests()).isEmpty();
            }
        }
    }

    @Test
    void aChannelHoldingDeadLettersOfBothTypesReplaysThoseOfItsTypeAndSaysWhyTheOthersStay(@TempDir Path directory)
            throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        Path channels = directory.resolve("channels.yaml");
        try (HttpStandIn hook = new HttpStandIn(400, "no such hook"); HttpStandIn chat = new HttpStandIn(400, "invalid_payload")) {
            Files.writeString(channels, ALERTS_AS_WEBHOOK);
            try (RunningService before = withChannels(channels, data, hook).start()) {
                before.postEvent(nodeAdded("as-hook"));
                await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(before).get("count").asInt() == 1);
            }
            Files.writeString(channels, ALERTS_AS_SLACK);
            try (RunningService after = withChannels(channels, data, hook).property("CHAT_URL", chat.url("/chat")).start()) {
                after.postEvent(nodeAdded("as-chat"));
                await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(after, "?channel=alerts").get("count").asInt() == 2);
                chat.respondByDefault(200, "ok");
                hook.respondByDefault(204, "");

                // the Slack one goes back to Slack; the webhook one stays (it was all or nothing: refused)
                HttpResponse<String> mixed = after.send("POST", "/admin/dead-letters/replay?channel=alerts", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(mixed.statusCode()).isEqualTo(200);
                JsonNode answer = JSON.readTree(mixed.body());
                assertThat(answer.get("replayed").asInt()).isEqualTo(1);
                assertThat(answer.get("notReplayed").asInt()).isEqualTo(1);
                assertThat(answer.get("why").asText()).isEqualTo("1 rendered for another type than channel alerts is (slack): "
                        + "replay them to a channel of their type with to=<channel>, or discard them");
                await().atMost(Duration.ofSeconds(10)).until(() -> chat.requests().size() == 2);
                assertThat(deadLetters(after).get("deadLetters")).extracting(d -> d.get("eventId").asText()).containsExactly("as-hook");

                HttpResponse<String> moved = after.send("POST", "/admin/dead-letters/replay?channel=alerts&to=alerts-hook", "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(moved.body()).isEqualTo("{\"replayed\":1}");
                await().atMost(Duration.ofSeconds(10)).until(() -> hook.requests().size() == 2);
                assertThat(JSON.readTree(hook.requests().get(1).body()).get("id").asText()).isEqualTo("as-hook");
                assertThat(chat.requests()).hasSize(2);
                await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters(after).get("count").asInt() == 0);
            }
        }
    }

    @Test
    void deadLettersAreNotSentToAServedChannelOfAnotherType(@TempDir Path directory) throws Exception {
        Path channels = Files.writeString(directory.resolve("channels.yaml"), """
                channels:
                  - {name: hook, type: webhook, url: "${HOOK_URL}"}
                  - {name: chat, type: slack, webhookUrl: "${HOOK_URL}"}
                rules:
                  - {name: all, eventTypes: ["*"], channels: [hook]}
                  - {name: none, eventTypes: [never.sent], channels: [chat]}
                default: [log]
                """);
        try (HttpStandIn hook = new HttpStandIn(400, "no such hook");
             RunningService service = RunningService.builder().property("channels.file", channels)
                     .property("data.dir", Files.createDirectories(directory.resolve("data")))
                     .property("HOOK_URL", hook.url("/hook")).property("admin.token", ADMIN_TOKEN).start()) {
            service.postEvent(nodeAdded("typed-1"));
            await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(service).get("count").asInt() == 1);

            // a webhook's message is not a Slack message
            HttpResponse<String> refused = service.send("POST", "/admin/dead-letters/replay?channel=hook&to=chat", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).get("error").asText())
                    .isEqualTo("channel chat is not of the type channel hook's dead letters were rendered for (webhook)");
            assertThat(deadLetters(service).get("count").asInt()).isEqualTo(1);
            assertThat(hook.requests()).hasSize(1);

            // what replayed nothing without saying why, or said the log channel was not served
            HttpResponse<String> itself = service.send("POST", "/admin/dead-letters/replay?channel=hook&to=hook", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(itself.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(itself.body()).get("error").asText())
                    .isEqualTo("to names the channel itself: leave it out to replay them there");
            HttpResponse<String> toLog = service.send("POST", "/admin/dead-letters/replay?channel=hook&to=log", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(toLog.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(toLog.body()).get("error").asText())
                    .isEqualTo("channel log writes to the log (type log), which keeps no deliveries: name a channel that sends");
        }
    }

    @Test
    void anAnswerQuotingTheWebhookUrlKeepsItsTokenOutOfTheLogAndTheDeadLetter() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack();
             LogCapture log = LogCapture.attach();
             RunningService service = withSlackAt(slack, "/services/T000/B000/quotedtoken9")) {
            slack.respondByDefault(404, "no_service: POST /services/T000/B000/quotedtoken9 is not a webhook");
            service.postEvent(nodeAdded("quoted-1"));

            assertThat(theOneDeadLetter(service).get("lastResponse").asText())
                    .isEqualTo("HTTP 404: no_service: POST <secret> is not a webhook");
            assertThat(log.text()).contains("POST <secret> is not a webhook").doesNotContain("quotedtoken9");
        }
    }

    /** Redirects are not followed: the dead letter says where to, so the operator knows what to fix (http to https, a moved host). */
    @Test
    void aRedirectedDeliveryIsKeptNamingWhereItWasSentLessThePath() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack();
             RunningService service = withSlackAt(slack, "/services/T000/B000/movedtoken3")) {
            // the Location's path may be the webhook's token again: only its scheme and host are named
            slack.thenRespond(301, "moved", Map.of("Location", "https://hooks.example.net/services/T000/B000/newtoken4?x=1"));
            service.postEvent(nodeAdded("moved-1"));

            JsonNode dead = theOneDeadLetter(service);
            assertThat(dead.get("reason").asText()).isEqualTo("http_other permanently");
            assertThat(dead.get("lastResponse").asText())
                    .isEqualTo("HTTP 301, redirected to https://hooks.example.net/…: moved");
        }
    }

    /**
     * The URL written JSON-escaped ({@code \/}), as many servers do, and the token alone, far enough
     * into the answer that the excerpt's cut at 200 characters would split a later copy.
     */
    @Test
    void anAnswerQuotingTheTokenEscapedOrAtTheCutKeepsItOutOfTheLogAndTheDeadLetter() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack();
             LogCapture log = LogCapture.attach();
             RunningService service = withSlackAt(slack, "/services/T000/B000/escapedtoken7")) {
            String escapedUrl = slack.url("/services/T000/B000/escapedtoken7").replace("/", "\\/");
            slack.respondByDefault(400, "{\"error\":\"invalid_payload\",\"url\":\"" + escapedUrl + "\",\"detail\":\""
                    + "x".repeat(81) + " token escapedtoken7\"}");
            service.postEvent(nodeAdded("escaped-1"));

            String kept = theOneDeadLetter(service).get("lastResponse").asText();
            assertThat(kept).startsWith("HTTP 400: {\"error\":\"invalid_payload\",\"url\":\"<secret>\"")
                    .contains("token <secret>").doesNotContain("escapedtok");
            assertThat(log.text()).contains("\"url\":\"<secret>\"").doesNotContain("escapedtok");
        }
    }

    @Test
    void aDeliveryForAChannelSwitchedOffSinceIsKeptAsADeadLetter(@TempDir Path dataDir) throws Exception {
        int attempts = leavePendingForSlack(dataDir, "orphan-1");
        // with the default grace (10 min) it would stay pending for a replica that serves slack
        try (RunningService second = RunningService.builder().property("data.dir", dataDir)
                .property("delivery.orphan-grace", "0s")
                .property("admin.token", ADMIN_TOKEN).start()) {
            JsonNode dead = theOneDeadLetter(second);
            assertThat(dead.get("reason").asText()).isEqualTo("channel_off");
            assertThat(dead.get("eventId").asText()).isEqualTo("orphan-1");
            // giving up is no attempt, and the channel's last answer is kept
            assertThat(dead.get("attempts").asInt()).isEqualTo(attempts);
            assertThat(dead.get("lastResponse").asText())
                    .isEqualTo("no route channel-slack serves this channel any more; before: HTTP 503: down");
        }
    }

    /** A replica on an older channels.yaml (a rollout) leaves the new channel's deliveries alone. */
    @Test
    void aDeliveryForAChannelThisReplicaDoesNotServeIsLeftPendingForTheGrace(@TempDir Path dataDir) throws Exception {
        leavePendingForSlack(dataDir, "not-mine-1");
        try (RunningService second = RunningService.builder().property("data.dir", dataDir)
                .property("admin.token", ADMIN_TOKEN).start()) {
            // the orphan sweep runs at the first tick, then every 30 s
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> deadLetters(second).get("count").asInt() == 0);
            assertThat(second.get("/observe/metrics").body()).contains("castai_outbox_pending 1");
        }
    }

    /**
     * Two replicas on one store, during a rollout: the one without Slack does not sweep into dead
     * letters the Slack deliveries the other holds back while it waits out a 429.
     */
    @Test
    void aDeliveryAnotherReplicaServesIsNeverSweptWhileThatReplicaWaits() throws Exception {
        try (Postgres store = Postgres.freshDatabase();
             HttpStandIn slack = HttpStandIn.slack();
             LogCapture log = LogCapture.attach();
             RunningService serving = RunningService.builder().property("slack.webhook.url", slack.url("/hook"))
                     .property("castai.store.url", store.url()).property("castai.store.username", Postgres.USER).start()) {
            slack.thenRespond(429, "rate_limited", Map.of("Retry-After", "60"));
            serving.postEvent(nodeAdded("paced-1"));
            slack.awaitRequests(1);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    !log.linesContaining("slack delivery of event paced-1 was refused by the channel's rate limit").isEmpty());
            // due, and left for the paced channel's timer, which takes nothing for a minute
            serving.postEvent(nodeAdded("paced-2"));
            try (RunningService withoutSlack = RunningService.builder().property("delivery.orphan-grace", "0s")
                    .property("castai.store.url", store.url()).property("castai.store.username", Postgres.USER)
                    .property("admin.token", ADMIN_TOKEN).start()) {
                // its orphan sweep runs at the first tick
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                        .until(() -> deadLetters(withoutSlack).get("count").asInt() == 0);
            }
            assertThat(slack.requests()).hasSize(1);
        }
    }

    /** A service with a Slack channel that answers 503 leaves a delivery of this event pending in the data directory. */
    @Test
    void aDeadLetterThatWillNeverBeDeliveredIsDiscardedAndItsEventStaysADuplicate() throws Exception {
        try (HttpStandIn slack = HttpStandIn.slack();
             RunningService service = withSlackAt(slack, "/hook")) {
            slack.respondByDefault(400, "no_such_channel");
            service.postEvent(nodeAdded("never-1"));
            service.postEvent(nodeAdded("never-2"));
            slack.awaitRequests(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters(service).get("count").asInt() == 2);
            assertThat(deadLetters(service, "?channel=pagerduty").get("count").asInt()).isZero();
            assertThat(deadLetters(service, "?channel=slack&order=newest&limit=1").get("count").asInt()).isEqualTo(1);
            assertThat(service.send("GET", "/admin/dead-letters?order=sideways", null, "Authorization", "Bearer " + ADMIN_TOKEN)
                    .statusCode()).isEqualTo(400);

            // never every dead letter at once, nor with a filter left empty or mistyped
            for (String query : List.of("", "?eventId=", "?channel=%20", "?id=never-1", "?eventId=never-1&chanel=slack")) {
                HttpResponse<String> refused = service.send("POST", "/admin/dead-letters/discard" + query, "",
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(refused.statusCode()).as(query).isEqualTo(400);
                assertThat(JSON.readTree(refused.body()).get("error").asText()).isNotEmpty();
            }
            // a filter is read from the query only: a request header of that name is no filter
            assertThat(service.send("POST", "/admin/dead-letters/discard", "", "Authorization", "Bearer " + ADMIN_TOKEN,
                    "channel", "slack").statusCode()).isEqualTo(400);
            assertThat(service.send("POST", "/admin/dead-letters/discard?eventId=never-1", "", "Authorization", "Bearer nope")
                    .statusCode()).isEqualTo(401);
            assertThat(service.send("GET", "/admin/dead-letters/discard?eventId=never-1", null,
                    "Authorization", "Bearer " + ADMIN_TOKEN).headers().firstValue("Allow")).hasValue("POST");
            assertThat(deadLetters(service).get("count").asInt()).isEqualTo(2);
            // a mistyped channel is said so, as the list says it, not "discarded 0"
            HttpResponse<String> mistyped = service.send("POST", "/admin/dead-letters/discard?channel=slak", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(mistyped.statusCode()).isEqualTo(404);
            assertThat(mistyped.body()).isEqualTo("{\"error\":\"no dead letters for channel slak, which is not in channels.yaml (mistyped?)\"}");

            HttpResponse<String> discard = service.send("POST", "/admin/dead-letters/discard?eventId=never-1&channel=slack", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(discard.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(discard.body()).get("discarded").asInt()).isEqualTo(1);
            JsonNode left = theOneDeadLetter(service);
            assertThat(left.get("eventId").asText()).isEqualTo("never-2");
            await().untilAsserted(() -> assertThat(service.get("/observe/metrics").body())
                    .contains("castai_outbox_dead_letters 1.0"));

            // gone for good: a replay finds nothing, and the webhook sent again is still a duplicate
            slack.respondByDefault(200, "ok");
            HttpResponse<String> replay = service.send("POST", "/admin/dead-letters/replay?eventId=never-1", "",
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(JSON.readTree(replay.body()).get("replayed").asInt()).isZero();
            assertThat(service.postEvent(nodeAdded("never-1")).body()).contains("\"duplicate\":true");
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> slack.requests().size() == 2);
        }
    }

    /** Returns how many attempts the delivery had (each answered 503). */
    private static int leavePendingForSlack(Path dataDir, String eventId) throws Exception {
        try (HttpStandIn slack = new HttpStandIn(503, "down")) {
            try (RunningService first = RunningService.builder().property("data.dir", dataDir)
                    .property("slack.webhook.url", slack.url("/hook")).start()) {
                first.postEvent(nodeAdded(eventId));
                slack.awaitRequests(1);
            }
            return slack.requests().size();
        }
    }

    @Test
    void theAdminApiWantsItsOwnToken() throws Exception {
        try (RunningService service = RunningService.builder()
                .property("admin.token", ADMIN_TOKEN)
                .property("webhook.token", "intake-token")
                .start()) {
            assertThat(service.send("GET", "/admin/dead-letters", null).statusCode()).isEqualTo(401);
            assertThat(service.send("GET", "/admin/dead-letters", null, "Authorization", "Bearer intake-token")
                    .statusCode()).isEqualTo(401);
            HttpResponse<String> wrong = service.send("POST", "/admin/dead-letters/replay", "",
                    "Authorization", "Bearer nope");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("invalid credentials");
            assertThat(wrong.body()).doesNotContain(ADMIN_TOKEN);

            HttpResponse<String> inUrl = service.send("GET", "/admin/dead-letters?Authorization=Bearer%20" + ADMIN_TOKEN, null);
            assertThat(inUrl.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(inUrl.body()).get("error").asText())
                    .isEqualTo("credentials go in the Authorization header, not in the URL");

            // a mistyped filter would list every channel's; a header is not a parameter
            for (String query : List.of("?chanel=slack", "?channel=slack&channel=hook", "?limit=")) {
                HttpResponse<String> mistyped = service.send("GET", "/admin/dead-letters" + query, null,
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(mistyped.statusCode()).as(query).isEqualTo(400);
            }
            assertThat(service.send("GET", "/admin/dead-letters", null, "Authorization", "Bearer " + ADMIN_TOKEN,
                    "limit", "abc").statusCode()).isEqualTo(200);
            for (String limit : List.of("abc", "0", "1001")) {
                HttpResponse<String> badLimit = service.send("GET", "/admin/dead-letters?limit=" + limit, null,
                        "Authorization", "Bearer " + ADMIN_TOKEN);
                assertThat(badLimit.statusCode()).as(limit).isEqualTo(400);
                assertThat(JSON.readTree(badLimit.body()).get("error").asText()).isEqualTo("limit must be a whole number from 1 to 1000");
            }
            HttpResponse<String> otherMethod = service.send("POST", "/admin/dead-letters", "", "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(otherMethod.statusCode()).isEqualTo(405);
            assertThat(otherMethod.headers().firstValue("Allow")).hasValue("GET");
            assertThat(JSON.readTree(otherMethod.body()).get("error").asText()).isEqualTo("only GET is accepted here");
            HttpResponse<String> getReplay = service.send("GET", "/admin/dead-letters/replay", null,
                    "Authorization", "Bearer " + ADMIN_TOKEN);
            assertThat(getReplay.statusCode()).isEqualTo(405);
            assertThat(getReplay.headers().firstValue("Allow")).hasValue("POST");
            assertThat(service.get("/observe/metrics").body()).as("both wrong methods counted")
                    .contains("castai_events_rejected_total{reason=\"method\"} 2.0");
        }
        try (RunningService service = RunningService.builder().start()) {
            HttpResponse<String> off = service.send("GET", "/admin/dead-letters", null, "Authorization", "Bearer x");
            assertThat(off.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(off.body()).get("error").asText()).isEqualTo("admin endpoints are off: set ADMIN_TOKEN");
        }
    }

    /** Waits (up to 5 s) until the service lists exactly one dead letter, and returns it. */
    /** The service with its Slack channel at {@code path} on the stand-in, and the admin API on. */
    private static RunningService withSlackAt(HttpStandIn slack, String path) {
        return RunningService.builder().property("slack.webhook.url", slack.url(path))
                .property("admin.token", ADMIN_TOKEN).start();
    }

    private static JsonNode theOneDeadLetter(RunningService service) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters(service), l -> l.get("count").asInt() == 1)
                .get("deadLetters").get(0);
    }

    /** A service on this channels file and data directory, its webhooks posting to {@code hook}. */
    private static RunningService.Builder withChannels(Path channels, Path data, HttpStandIn hook) {
        return RunningService.builder().property("channels.file", channels).property("data.dir", data)
                .property("HOOK_URL", hook.url("/hook")).property("admin.token", ADMIN_TOKEN);
    }

    private static JsonNode deadLetters(RunningService service) throws Exception {
        return deadLetters(service, "");
    }

    private static JsonNode deadLetters(RunningService service, String query) throws Exception {
        HttpResponse<String> response = service.send("GET", "/admin/dead-letters" + query, null,
                "Authorization", "Bearer " + ADMIN_TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String nodeAdded(String id) {
        return "{\"id\":\"" + id + "\",\"eventType\":\"node.added\",\"clusterName\":\"staging-us-east\","
                + "\"data\":{\"nodeName\":\"n-1\",\"instanceType\":\"c6a.xlarge\",\"lifecycle\":\"spot\"}}";
    }
}
