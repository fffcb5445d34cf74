package io.castai.events.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.castai.events.support.LogCapture;
import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** A setting under a near-miss name is read by nothing: start-up says so, naming the one meant. */
class SettingNamesTest {
    private static final Set<String> SETTINGS = SettingTypes.bundledDefaults().stringPropertyNames();
    private static final List<String> REFERENCES = List.of("SLACK_OPS_URL");

    @Test
    void nearMissesAreNamedWithTheSettingMeant() {
        assertThat(SettingNames.nearMisses(SETTINGS, REFERENCES,
                List.of("SLACK_WEBHOOK_ULR", "DELIVERY_CONCURENCY", "SLACK_OPS_URI", "WEBHOOK_TOKEN_FLIE"),
                List.of("dedup.windw")))
                .containsExactly(
                        "Setting DELIVERY_CONCURENCY (the environment) is not one this service reads, so it changes nothing: "
                                + "did you mean DELIVERY_CONCURRENCY?",
                        "Setting SLACK_OPS_URI (the environment) is not one this service reads, so it changes nothing: "
                                + "did you mean SLACK_OPS_URL?",
                        "Setting SLACK_WEBHOOK_ULR (the environment) is not one this service reads, so it changes nothing: "
                                + "did you mean SLACK_WEBHOOK_URL?",
                        "Setting WEBHOOK_TOKEN_FLIE (the environment) is not one this service reads, so it changes nothing: "
                                + "did you mean WEBHOOK_TOKEN_FILE?",
                        "Setting dedup.windw (application.properties) is not one this service reads, so it changes nothing: "
                                + "did you mean dedup.window?");
    }

    @Test
    void onlyASecretHasAFileForm() {
        // CASTAI_STORE_USERNAME_FILE is read by nothing: said, not silently ignored; nor is a setting's _FILE
        // offered for a near miss (CASTAI_CLUSTER_ID_FLE was told to be CASTAI_CLUSTER_ID_FILE, which nothing reads)
        assertThat(SettingNames.nearMisses(SETTINGS, REFERENCES, List.of("CASTAI_STORE_USERNAME_FILE", "CASTAI_CLUSTER_ID_FLE",
                "CASTAI_STORE_PASSWORD_FILE", "SLACK_OPS_URL_FILE"), List.of()))
                .containsExactly("Setting CASTAI_STORE_USERNAME_FILE (the environment) is not one this service reads, so it changes nothing: "
                                + "only secrets are read from a file; set CASTAI_STORE_USERNAME itself");
    }

    @Test
    void theNameMeantIsWrittenAsItsSourceWritesNames() {
        assertThat(SettingNames.nearMisses(SETTINGS, REFERENCES, List.of("dedup_windw"), List.of("DEDUP_WINDW")))
                .containsExactly(
                        "Setting DEDUP_WINDW (application.properties) is not one this service reads, so it changes nothing: "
                                + "did you mean DEDUP_WINDOW?",
                        "Setting dedup_windw (the environment) is not one this service reads, so it changes nothing: "
                                + "did you mean DEDUP_WINDOW?");
    }

    @Test
    void knownNamesAndFarOnesAreLeftAlone() {
        // a container's usual variables, Kubernetes' service links, a team's own property, Camel's options, secrets as files
        assertThat(SettingNames.nearMisses(SETTINGS, REFERENCES,
                List.of("PATH", "HOME", "HOSTNAME", "JAVA_TOOL_OPTIONS", "KUBERNETES_SERVICE_HOST", "CASTAI_EVENTS_PORT_8080_TCP",
                        "CASTAI_EVENTS_SERVICE_PORT", "SLACK_WEBHOOK_URL", "ADMIN_TOKEN_FILE", "LOG_LEVEL", "CAMEL_MAIN_NAMEE",
                        "SLACK_OPS_URL", "PAGERDUTY_ROUTING_KEY_EU"),
                List.of("delivery.concurrency", "my-team.greeting", "camel.main.shutdown-timout", "slack.webhook.url")))
                .isEmpty();
    }

    @Test
    void theSystemsOwnVariablesAreNoMistakeNearAChannelsYamlName() {
        // TERM is two edits from TEAM, LANG and USER one from a team's LANE or USES
        assertThat(SettingNames.nearMisses(SETTINGS, List.of("TEAM", "LANE", "USES", "LC_ALLL"),
                List.of("TERM", "LANG", "USER", "LC_ALL"), List.of())).isEmpty();
        assertThat(SettingNames.nearMisses(SETTINGS, List.of("TEAM"), List.of(), List.of("TERM")))
                .as("in application.properties it is no system variable").hasSize(1);
    }

    @Test
    void aShortNameIsNearOnlyOneEditAway() {
        assertThat(SettingNames.nearMisses(List.of("data.dir"), List.of("NAME"), List.of("HOME", "DATA_DIRR"), List.of())).containsExactly(
                "Setting DATA_DIRR (the environment) is not one this service reads, so it changes nothing: did you mean DATA_DIR?");
    }

    @Test
    void everyNameChannelsYamlTakesIsFoundWhereverItIs(@TempDir Path directory) throws Exception {
        // a '#' in a value is no comment; one taken from a comment only spares a warning
        Path channels = Files.writeString(directory.resolve("channels.yaml"), """
                # ${NAME} takes the environment variable NAME
                channels:
                  - {name: ops, type: slack, webhookUrl: "${SLACK_OPS_URL:-}"}
                  - {name: team2, type: webhook, headers: {X-Title: "team #2"}, url: "${SLACK_TEAM2_URL}"}
                """);
        assertThat(SettingNames.channelsReferences(channels.toString())).containsExactly("NAME", "SLACK_OPS_URL", "SLACK_TEAM2_URL");
        assertThat(SettingNames.channelsReferences(directory.resolve("missing.yaml").toString())).isEmpty();
    }

    @Test
    void theDistanceCountsSwapsAsOneEditAndStopsAtItsLimit() {
        assertThat(io.castai.events.channels.EditDistance.between("DATA_DIR", "DATA_DIR", 3)).isZero();
        assertThat(io.castai.events.channels.EditDistance.between("DTAA_DIR", "DATA_DIR", 3)).isEqualTo(1);
        assertThat(io.castai.events.channels.EditDistance.between("DATA_DIRS", "DATA_DIR", 3)).isEqualTo(1);
        assertThat(io.castai.events.channels.EditDistance.between("SERVER_PORT", "DATA_DIR", 3)).isEqualTo(3);
    }

    @Test
    void theServiceWarnsAtStartUpAboutAMisspeltPropertyAndANameChannelsYamlTakes(@TempDir Path directory) throws Exception {
        Path channels = Files.writeString(directory.resolve("channels.yaml"), """
                channels:
                  - {name: ops, type: slack, optional: true, webhookUrl: "${SLACK_OPS_URL:-}"}
                rules:
                  - {name: all, eventTypes: ["*"], channels: [ops]}
                default: [log]
                """);
        try (LogCapture log = LogCapture.attach();
             RunningService service = RunningService.builder().property("channels.file", channels)
                     .property("dedup.max-entires", "5").property("SLACK_OPS_ULR", "https://hooks.slack.com/x").start()) {
            assertThat(log.linesContaining("is not one this service reads")).containsExactlyInAnyOrder(
                    "WARN io.castai.events.ops.SettingNames - Setting SLACK_OPS_ULR (application.properties) is not one this service reads, so it changes nothing: "
                            + "did you mean SLACK_OPS_URL?",
                    "WARN io.castai.events.ops.SettingNames - Setting dedup.max-entires (application.properties) is not one this service reads, so it changes nothing: "
                            + "did you mean dedup.max-entries?");
            assertThat(log.linesContaining("hooks.slack.com")).as("values are never logged").isEmpty();
        }
    }
}
