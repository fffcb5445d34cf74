package io.castai.events.channels;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import io.castai.events.support.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** channels.yaml: every start-up validation error with its exact message, and how rules decide. */
class ChannelsFileTest {
    private static final Map<String, String> ENV = Map.of("SLACK_OPS_URL", "https://hooks.slack.com/services/T/B/secret-token",
            "HOOK_URL", "");

    private static Channels parse(String yaml) {
        return ChannelsFile.parse("channels.yaml", yaml, ENV::get);
    }

    static Stream<Arguments> invalidFiles() {
        return Stream.of(
                Arguments.of("unknown channel in a rule", """
                        channels:
                          - {name: slack-ops, type: slack, webhookUrl: "${SLACK_OPS_URL}"}
                        rules:
                          - {eventTypes: [node.*], channels: [slack-opps]}
                        default: [log]
                        """, "channels.yaml: rules[0].channels: unknown channel \"slack-opps\" (declared: log, slack-ops)"),
                Arguments.of("unknown channel in the default", """
                        default: [nobody]
                        """, "channels.yaml: default: unknown channel \"nobody\" (declared: log)"),
                Arguments.of("missing required parameter", """
                        channels:
                          - {name: slack-ops, type: slack}
                        default: [log]
                        """, "channels.yaml: channels[0] (slack-ops): missing required parameter \"webhookUrl\""),
                Arguments.of("duplicate name", """
                        channels:
                          - {name: slack-ops, type: slack, webhookUrl: "${SLACK_OPS_URL}"}
                          - {name: slack-ops, type: slack, webhookUrl: "${SLACK_OPS_URL}"}
                        default: [log]
                        """, "channels.yaml: channels[1].name: duplicate channel name \"slack-ops\""),
                Arguments.of("the built-in log redeclared", """
                        channels:
                          - {name: log, type: log}
                        default: [log]
                        """, "channels.yaml: channels[0].name: duplicate channel name \"log\" (log is built in)"),
                Arguments.of("unknown key in a channel", """
                        channels:
                          - {name: slack-ops, type: slack, webhookURL: "${SLACK_OPS_URL}"}
                        default: [log]
                        """, "channels.yaml: channels[0] (slack-ops): unknown key \"webhookURL\" "
                        + "(slack channels take: name, type, optional, template, webhookUrl)"),
                Arguments.of("unknown key in a rule", """
                        rules:
                          - {eventType: node.added, channels: [log]}
                        default: [log]
                        """, "channels.yaml: rules[0]: unknown key \"eventType\" "
                        + "(allowed: name, eventTypes, minSeverity, clusters, channels, recipients, continue)"),
                Arguments.of("unknown top-level key", """
                        route: {}
                        default: [log]
                        """, "channels.yaml: unknown key \"route\" (allowed: channels, rules, default)"),
                Arguments.of("no default rule", """
                        rules:
                          - {channels: [log]}
                        """, "channels.yaml: default: missing; a default rule is required (e.g. default: [log])"),
                Arguments.of("unknown channel type", """
                        channels:
                          - {name: teams, type: msteams}
                        default: [log]
                        """, "channels.yaml: channels[0] (teams).type: unknown channel type \"msteams\" "
                        + "(known: slack, pagerduty, webhook, email, log)"),
                Arguments.of("unset variable", """
                        channels:
                          - {name: slack-finops, type: slack, webhookUrl: "${SLACK_FINOPS_URL}"}
                        default: [log]
                        """, "channels.yaml: channels[0] (slack-finops).webhookUrl: ${SLACK_FINOPS_URL} is not set"),
                Arguments.of("a variable set but empty, named as an unset one is", """
                        channels:
                          - {name: hook, type: webhook, url: "${HOOK_URL}"}
                        default: [log]
                        """, "channels.yaml: channels[0] (hook).url: ${HOOK_URL} is empty, and \"url\" is required"),
                Arguments.of("a URL that is not one, without echoing it", """
                        channels:
                          - {name: hook, type: webhook, url: "hooks.example.com/secret-token"}
                        default: [log]
                        """, "channels.yaml: channels[0] (hook).url: must be an http(s) URL with a host"),
                Arguments.of("a URL with the quotes of a shell around it", """
                        channels:
                          - {name: hook, type: webhook, url: "'https://hooks.example.com/secret-token'"}
                        default: [log]
                        """, "channels.yaml: channels[0] (hook).url: has quotes around it: write the URL without them"),
                Arguments.of("a choice outside its values", """
                        channels:
                          - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: [b@example.com], tls: ssl}
                        default: [log]
                        """, "channels.yaml: channels[0] (mail).tls: \"ssl\" is not one of starttls, smtps, none"),
                Arguments.of("a severity that does not exist", """
                        rules:
                          - {minSeverity: HIGH, channels: [log]}
                        default: [log]
                        """, "channels.yaml: rules[0].minSeverity: \"HIGH\" is not one of CRITICAL, ERROR, WARNING, INFO, SUCCESS"),
                Arguments.of("a rule without channels", """
                        rules:
                          - {eventTypes: [node.added]}
                        default: [log]
                        """, "channels.yaml: rules[0]: missing required key \"channels\""),
                Arguments.of("recipients on a rule without email", """
                        rules:
                          - {channels: [log], recipients: [a@example.com]}
                        default: [log]
                        """, "channels.yaml: rules[0].recipients: only email channels take recipients, and this rule sends to none"),
                Arguments.of("a channel name that cannot be a route id", """
                        channels:
                          - {name: Slack Ops, type: log}
                        default: [log]
                        """, "channels.yaml: channels[0].name: \"Slack Ops\" must be lower-case letters, digits and dashes"),
                Arguments.of("a duplicate key", """
                        default: [log]
                        default: [log]
                        """, "channels.yaml: is not valid YAML: found duplicate key default at line 2, column 1"),
                Arguments.of("a syntax error next to a secret written inline", """
                        channels:
                          - {name: hook, type: webhook, url: "https://hooks.example.com/secret-token"
                        default: [log]
                        """, "channels.yaml: is not valid YAML: "),
                Arguments.of("a routing key that is not one", """
                        channels:
                          - {name: pd, type: pagerduty, routingKey: secret-token}
                        default: [log]
                        """, "channels.yaml: channels[0] (pd).routingKey: must be the 32-character Events API v2 integration key"),
                Arguments.of("resolveOn with one incident per event", """
                        channels:
                          - {name: pd, type: pagerduty, routingKey: 0123456789abcdef0123456789abcdef, resolveOn: [node.removed]}
                        default: [log]
                        """, "channels.yaml: channels[0] (pd).resolveOn: needs dedupBy: node (a resolve carries the "
                        + "incident's key, which with dedupBy: event is the resolving event's own)"),
                Arguments.of("an SMTP port out of range", """
                        channels:
                          - {name: mail, type: email, host: smtp.example.com, port: 70000, from: a@example.com, to: [b@example.com]}
                        default: [log]
                        """, "channels.yaml: channels[0] (mail).port: must be from 1 to 65535"),
                Arguments.of("a sender that is not an address", """
                        channels:
                          - {name: mail, type: email, host: smtp.example.com, from: not an address, to: [b@example.com]}
                        default: [log]
                        """, "channels.yaml: channels[0] (mail).from: \"not an address\" is not an email address"),
                Arguments.of("a rule's recipient that is not an address", """
                        channels:
                          - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: [b@example.com]}
                        rules:
                          - {channels: [mail], recipients: ["oncall@"]}
                        default: [log]
                        """, "channels.yaml: rules[0].recipients: \"oncall@\" is not an email address"),
                Arguments.of("a clusters condition left empty", """
                        rules:
                          - {clusters: "${NOT_SET:-}", channels: [log]}
                        default: [log]
                        """, "channels.yaml: rules[0].clusters: is empty; remove the key to match every event"),
                Arguments.of("an eventTypes condition left empty", """
                        rules:
                          - {eventTypes: [], channels: [log]}
                        default: [log]
                        """, "channels.yaml: rules[0].eventTypes: is empty; remove the key to match every event"),
                Arguments.of("a mapping given for a list", """
                        channels:
                          - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: {ops: b@example.com}}
                        default: [log]
                        """, "channels.yaml: channels[0] (mail).to: must be a list ([a, b]) or one comma-separated value, not a mapping"),
                Arguments.of("a webhook's Content-Type given as a header", """
                        channels:
                          - {name: hook, type: webhook, url: "https://example.com/hook", headers: {content-type: text/plain}}
                        default: [hook]
                        """, "channels.yaml: channels[0] (hook).headers: Content-Type is the channel's contentType parameter, not a header"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void aMistakeStopsStartUpWithOneExactMessage(String mistake, String yaml, String message) {
        var thrown = assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigurationException.class);
        if (message.endsWith(": ")) {
            thrown.hasMessageStartingWith(message);
        } else {
            thrown.hasMessage(message);
        }
        thrown.satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-token"));
    }

    @Test
    void anOptionalChannelWithoutItsValueIsOffAndSkipped() {
        Channels channels = parse("""
                channels:
                  - {name: slack, type: slack, optional: true, webhookUrl: "${SLACK_WEBHOOK_URL:-}"}
                rules:
                  - {eventTypes: [node.added], channels: [log, slack]}
                default: [log]
                """);
        Channels.Decision decision = channels.decide(event("node.added", Severity.INFO, "prod"));
        assertThat(decision.targets()).extracting(Target::channel).containsExactly("log");
        assertThat(decision.off()).containsExactly("slack");
        assertThat(channels.get("slack").offReason()).isEqualTo("webhookUrl is empty");
    }

    @Test
    void firstMatchWinsUnlessARuleContinues() {
        Channels channels = parse("""
                channels:
                  - {name: ops, type: log}
                  - {name: finops, type: log}
                  - {name: pager, type: log}
                rules:
                  - {name: finops, eventTypes: ["savings.*", "audit.*"], clusters: [prod-eu], channels: [finops], continue: true}
                  - {name: savings, eventTypes: ["savings.*"], channels: [ops]}
                  - {name: critical, minSeverity: ERROR, channels: [pager]}
                  - {name: nodes, eventTypes: ["node.*"], channels: [ops, log]}
                default: [log]
                """);
        assertThat(channels.decide(event("savings.daily", Severity.INFO, "prod-eu")).rules()).containsExactly("finops", "savings");
        assertThat(channels.targets(event("savings.daily", Severity.INFO, "prod-eu"))).extracting(Target::channel)
                .containsExactly("finops", "ops");
        assertThat(channels.targets(event("savings.threshold", Severity.INFO, "staging"))).extracting(Target::channel)
                .containsExactly("ops");
        assertThat(channels.targets(event("node.added", Severity.CRITICAL, "staging"))).extracting(Target::channel)
                .containsExactly("pager");
        assertThat(channels.targets(event("node.added", Severity.WARNING, "staging"))).extracting(Target::channel)
                .containsExactly("ops", "log");
        assertThat(channels.decide(event("audit.cluster.deleted", Severity.INFO, "staging")).rules()).containsExactly("default");
        // matched by a rule that continues, and none after it: not the default's (as Alertmanager's routes), so a
        // rule copying events "as well" never sends them to a default that pages
        assertThat(channels.decide(event("audit.cluster.deleted", Severity.INFO, "prod-eu")).rules()).containsExactly("finops");
        assertThat(channels.targets(event("audit.cluster.deleted", Severity.INFO, "prod-eu"))).extracting(Target::channel)
                .containsExactly("finops");
    }

    @Test
    void anEmailChannelTwoRulesNameMailsEveryoneEitherWould() {
        Channels channels = parse("""
                channels:
                  - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: [team@example.com]}
                rules:
                  - {name: all-mail, channels: [mail], continue: true}
                  - {name: paging, minSeverity: ERROR, channels: [mail, log], recipients: [oncall@example.com], continue: true}
                  - {name: finops, eventTypes: ["savings.*"], channels: [mail], recipients: [finops@example.com]}
                default: [log]
                """);
        assertThat(channels.targets(event("node.added", Severity.CRITICAL, "prod"))).containsExactly(
                new Target("mail", List.of("team@example.com", "oncall@example.com")), new Target("log", List.of()));
        assertThat(channels.targets(event("node.added", Severity.INFO, "prod")))
                .as("one rule without recipients: the channel's own").containsExactly(new Target("mail", List.of()));
        assertThat(channels.targets(event("savings.daily", Severity.INFO, "prod")))
                .containsExactly(new Target("mail", List.of("team@example.com", "finops@example.com")));
    }

    @Test
    void aRulesTypeAndSeverityMatchAsWritten() {
        Channels channels = parse("""
                channels:
                  - {name: ops, type: log}
                  - {name: pager, type: log}
                rules:
                  - {name: added, eventTypes: [node.added], channels: [ops]}
                  - {name: paging, minSeverity: ERROR, channels: [pager]}
                default: [log]
                """);
        // the whole type: another tool's audit.node.added is not a node's addition
        assertThat(channels.decide(event("audit.node.added", Severity.INFO, "prod")).rules()).containsExactly("default");
        assertThat(channels.decide(event("node.added.v2", Severity.INFO, "prod")).rules()).containsExactly("default");
        // minSeverity: ERROR takes ERROR itself, not WARNING
        assertThat(channels.decide(event("x", Severity.ERROR, "prod")).rules()).containsExactly("paging");
        assertThat(channels.decide(event("x", Severity.WARNING, "prod")).rules()).containsExactly("default");
    }

    @Test
    void aRuleWhoseChannelsAreOffDoesNotFallToTheDefault() {
        // an optional channel off in this environment: its rule's events go nowhere (warned at start), not to a default that pages
        Channels channels = ChannelsFile.parse("channels.yaml", """
                channels:
                  - {name: slack, type: slack, webhookUrl: "${NOT_SET:-}", optional: true}
                  - {name: pager, type: log}
                rules:
                  - {name: nodes, eventTypes: [node.added], channels: [slack]}
                default: [pager]
                """, name -> null);
        Channels.Decision decision = channels.decide(event("node.added", Severity.INFO, "prod"));
        assertThat(decision.rules()).containsExactly("nodes");
        assertThat(decision.targets()).isEmpty();
        assertThat(decision.off()).containsExactly("slack");
    }

    @Test
    void aRuleWithRecipientsThenOneWithoutMailsTheChannelsOwnToo() {
        Channels channels = parse("""
                channels:
                  - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: [team@example.com]}
                rules:
                  - {name: paging, minSeverity: ERROR, channels: [mail], recipients: [oncall@example.com], continue: true}
                  - {name: all-mail, channels: [mail]}
                default: [log]
                """);
        assertThat(channels.targets(event("node.added", Severity.CRITICAL, "prod")))
                .containsExactly(new Target("mail", List.of("oncall@example.com", "team@example.com")));
    }

    @Test
    void aVariablesValueIsTakenAsItIs() {
        // a secret with $ or \ in it: a regular expression's replacement would refuse the one and drop the other
        Channels channels = ChannelsFile.parse("channels.yaml", """
                channels:
                  - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: [b@example.com],
                     username: ops, password: "${SMTP_PASSWORD}"}
                  - {name: hook, type: webhook, url: "https://hooks.example.com/x", headers: {X-Key: '${KEY:-d$fault\\1}'}}
                rules: []
                default: [log]
                """, Map.of("SMTP_PASSWORD", "pa$1s\\word")::get);
        assertThat(channels.get("mail").text("password")).isEqualTo("pa$1s\\word");
        assertThat(channels.get("hook").map("headers")).containsEntry("X-Key", "d$fault\\1");
    }

    @Test
    void globsMatchWholeTypesOnly() {
        assertThat(RoutingRule.glob("node.*").matcher("node.spot_interrupted").matches()).isTrue();
        assertThat(RoutingRule.glob("node.*").matcher("nodes").matches()).isFalse();
        assertThat(RoutingRule.glob("*.added").matcher("node.added").matches()).isTrue();
        assertThat(RoutingRule.glob("node.added").matcher("nodexadded").matches()).as("the dot is literal").isFalse();
    }

    @Test
    void secretsNeverAppearInAChannelsDescription() {
        Channels channels = parse("""
                channels:
                  - {name: slack-ops, type: slack, webhookUrl: "${SLACK_OPS_URL}"}
                default: [log]
                """);
        assertThat(channels.get("slack-ops").toString()).contains("webhookUrl=<secret>").doesNotContain("secret-token");
    }

    @Test
    void aCommaSeparatedVariableIsAList() {
        Channels channels = ChannelsFile.parse("channels.yaml", """
                channels:
                  - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: "${ONCALL}"}
                default: [mail]
                """, Map.of("ONCALL", "b@example.com, c@example.com")::get);
        assertThat(channels.get("mail").list("to")).containsExactly("b@example.com", "c@example.com");
        assertThat(channels.get("mail").integer("port")).isEqualTo(587);
    }

    private static NotificationEvent event(String type, Severity severity, String cluster) {
        return new NotificationEvent("id-1", type, severity, "cluster-id", cluster, "2026-11-27T00:00:00Z",
                type, "summary", Map.of(), NotificationEvent.ORIGIN_EVENT);
    }


    @Test
    void aWebhooksHeaderValuesAndItsUrlsPartsAreSecretsInAnswers() {
        Channels channels = parse("""
                channels:
                  - name: hook
                    type: webhook
                    url: https://hooks.example.com/in/abcdef123456?sig=zyxw9876
                    headers: {Authorization: "Bearer hdr-secret-42", X-Team: ops}
                rules: []
                default: [hook]
                """);
        ChannelConfig hook = channels.get("hook");

        assertThat(hook.withoutSecrets("401: got Authorization=Bearer hdr-secret-42 for team ops"))
                .isEqualTo("401: got Authorization=<secret> for team ops");
        assertThat(hook.withoutSecrets("{\"url\":\"https:\\/\\/hooks.example.com\\/in\\/abcdef123456?sig=zyxw9876\"}"))
                .isEqualTo("{\"url\":\"<secret>\"}");
        assertThat(hook.withoutSecrets("no hook abcdef123456 here")).isEqualTo("no hook <secret> here");
    }

    @Test
    void aSecretQuotedInAnotherFormOrInPartsIsASecretToo() {
        String basic = java.util.Base64.getEncoder().encodeToString("hookuser:BasicPw5ecret".getBytes());
        Channels channels = parse("""
                channels:
                  - name: teams
                    type: webhook
                    url: https://example.webhook.office.com/webhookb2/Gu1dTok3n-4455@tenant/IncomingWebhook/abc/def?token=Qtok5ECRET%2Bab%2Fcd%3Dz
                    headers: {Authorization: "Bearer BearerTok5ECRET", X-Basic: "Basic BASIC"}
                  - name: pipe
                    type: webhook
                    url: https://eo1234abcdxyz.m.pipedream.net/hook
                  - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: b@example.com,
                     username: mailer, password: SmtpPw5ecret+99}
                rules: []
                default: [teams]
                """.replace("BASIC", basic));
        ChannelConfig teams = channels.get("teams");

        assertThat(teams.withoutSecrets("no such hook: Gu1dTok3n-4455@tenant")).isEqualTo("no such hook: <secret>");
        assertThat(teams.withoutSecrets("invalid token Qtok5ECRET+ab/cd=z")).isEqualTo("invalid token <secret>");
        assertThat(teams.withoutSecrets("invalid token Qtok5ECRET%2Bab%2Fcd%3Dz")).isEqualTo("invalid token <secret>");
        assertThat(teams.withoutSecrets("{\"token\":\"Qtok5ECRET+ab\\u002fcd=z\"}")).isEqualTo("{\"token\":\"<secret>\"}");
        assertThat(teams.withoutSecrets("invalid token BearerTok5ECRET")).isEqualTo("invalid token <secret>");
        assertThat(teams.withoutSecrets("bad login hookuser:BasicPw5ecret")).isEqualTo("bad login <secret>");
        assertThat(teams.withoutSecrets("wrong password BasicPw5ecret")).isEqualTo("wrong password <secret>");
        assertThat(teams.withoutSecrets("POST /webhookb2 to example.webhook.office.com"))
                .as("words and host names that are no tokens stay").isEqualTo("POST /webhookb2 to example.webhook.office.com");
        assertThat(channels.get("pipe").withoutSecrets("no answer from eo1234abcdxyz.m.pipedream.net"))
                .isEqualTo("no answer from <secret>.m.pipedream.net");
        String plain = java.util.Base64.getEncoder().encodeToString("\0mailer\0SmtpPw5ecret+99".getBytes());
        assertThat(channels.get("mail").withoutSecrets("550 you said AUTH PLAIN " + plain)).isEqualTo("550 you said AUTH PLAIN <secret>");
    }

    @Test
    void wordsInAChannelsUrlAreNotSecretsOnTheirOwn() {
        // the log masks every part of a secret wherever it appears: a word there would be garbled everywhere
        Channels channels = parse("""
                channels:
                  - {name: hook, type: webhook, url: "https://example.com/hooks/notifications?channel=alerts-prod&format=json"}
                rules: []
                default: [hook]
                """);
        ChannelConfig hook = channels.get("hook");

        assertThat(hook.secretValues()).doesNotContain("notifications", "alerts-prod", "hooks");
        assertThat(hook.withoutSecrets("polled notifications for alerts-prod")).isEqualTo("polled notifications for alerts-prod");
        assertThat(hook.withoutSecrets("POST https://example.com/hooks/notifications?channel=alerts-prod&format=json failed"))
                .isEqualTo("POST <secret> failed");
    }

    @Test
    void moreFormsAndPiecesOfASecretAndNoneOfTheWordsAroundIt() {
        Channels channels = parse("""
                channels:
                  - name: hook
                    type: webhook
                    url: "https://prod-101.westus.logic.azure.com/workflows/run?token=PlusTok+5ECRET+9876"
                    headers:
                      X-Auth: "ApiKey  KeyId5ECRET12   SecretPart5ECRET34"
                      X-Creds: "id=ClientId5ECRET01,secret=ClientSecret5ECRET02"
                      X-Json: 'Key"5ECRET\\99&<x>ab'
                      Accept: application/json
                      X-Environment: production
                rules: []
                default: [hook]
                """);
        ChannelConfig hook = channels.get("hook");

        assertThat(hook.withoutSecrets("invalid token PlusTok 5ECRET 9876")).isEqualTo("invalid token <secret>");
        assertThat(hook.withoutSecrets("rejected: SecretPart5ECRET34 and ClientSecret5ECRET02"))
                .isEqualTo("rejected: <secret> and <secret>");
        assertThat(hook.withoutSecrets("{\"X-Json\": \"Key\\\"5ECRET\\\\99\\u0026\\u003cx\\u003eab\"}"))
                .isEqualTo("{\"X-Json\": \"<secret>\"}");
        assertThat(hook.withoutSecrets("in cluster prod-101: production application/json"))
                .isEqualTo("in cluster prod-101: production application/json");
        assertThatThrownBy(() -> parse("""
                channels:
                  - {name: hook, type: webhook, url: "https://example.com/hook#Frag5ECRET1234"}
                rules: []
                default: [hook]
                """)).hasMessageContaining("must not have a #fragment").hasMessageNotContaining("Frag5ECRET1234");
        assertThatThrownBy(() -> parse("""
                channels:
                  - {name: hook, type: webhook, url: "https://hookuser:Pa55w0rd5ECRET@example.com/hook"}
                rules: []
                default: [hook]
                """)).hasMessageContaining("channels.yaml: channels[0] (hook).url: must not carry user:password@")
                .hasMessageNotContaining("Pa55w0rd5ECRET");
    }

    @Test
    void aCredentialHeadersParameterNamesAndOtherHeadersWordsAreNotSecrets() {
        Channels channels = parse("""
                channels:
                  - name: hook
                    type: webhook
                    url: "https://example.com/notifications"
                    headers:
                      X-Api-Key: "ApiKey id=castai-events,secret=Secr3tPart5ECRET"
                      X-Region-Code: eu-central-1
                      X-Author: platform-team
                rules: []
                default: [hook]
                """);
        ChannelConfig hook = channels.get("hook");

        assertThat(hook.withoutSecrets("rejected Secr3tPart5ECRET")).isEqualTo("rejected <secret>");
        assertThat(hook.secretValues()).doesNotContain("castai-events", "eu-central-1", "platform-team", "/notifications");
        assertThat(hook.withoutSecrets("POST /notifications for castai-events in eu-central-1 by platform-team"))
                .isEqualTo("POST /notifications for castai-events in eu-central-1 by platform-team");
    }

    @Test
    void aPlainHttpEndpointOffThisMachineIsWarnedOf() {
        try (LogCapture log = LogCapture.attach()) {
            parse("""
                    channels:
                      - {name: internal, type: webhook, url: "http://receiver.monitoring.svc/hooks?token=Secret12345"}
                      - {name: local, type: webhook, url: "http://127.0.0.1:9000/hooks"}
                      - {name: public, type: webhook, url: "https://example.com/hooks"}
                      - {name: named-like-loopback, type: webhook, url: "http://127.example.com/hooks"}
                    rules: []
                    default: [log]
                    """);

            assertThat(log.linesContaining("is plain http")).containsExactly("WARN io.castai.events.channels.ChannelsFile - "
                    + "channels.yaml: channels[0] (internal).url is plain http: its messages, and any token in its URL or "
                    + "headers, cross the network unencrypted; use https", "WARN io.castai.events.channels.ChannelsFile - "
                    + "channels.yaml: channels[3] (named-like-loopback).url is plain http: its messages, and any token in its URL or "
                    + "headers, cross the network unencrypted; use https");
            assertThat(log.text()).doesNotContain("Secret12345");
        }
    }

    @Test
    void anEventTypeALetterOffOneThisServiceGivesIsWarnedOf() {
        try (LogCapture log = LogCapture.attach()) {
            parse("""
                    channels: []
                    rules:
                      - {name: nodes, eventTypes: [node.addded, node.removed, "savings.*", my.own.type], channels: [log]}
                    default: [log]
                    """);

            assertThat(log.linesContaining("is not an event type")).containsExactly("WARN io.castai.events.channels.ChannelsFile - "
                    + "channels.yaml: rules[0].eventTypes: \"node.addded\" is not an event type this service gives, so it matches "
                    + "only events sent with it: did you mean \"node.added\"?");
        }
    }

    @Test
    void anEventTypeNoEventCanHaveIsWarnedOf() {
        try (LogCapture log = LogCapture.attach()) {
            parse("""
                    channels: []
                    rules:
                      - {name: audit, eventTypes: ["audit.cluster deleted", "audit.*", "k8s.Node:Ready", "%s", "%s*", "%s"],
                         channels: [log]}
                    default: [log]
                    """.formatted("a".repeat(129), "c".repeat(129), "b".repeat(128)));

            assertThat(log.linesContaining("matches no event")).as("a space, 129 characters, a glob needing 129")
                    .hasSize(3).first().asString().endsWith(
                    "channels.yaml: rules[0].eventTypes: \"audit.cluster deleted\" matches no event: an event type holds only "
                    + "letters, digits, '.', '_', ':' and '-', at most 128 of them (a polled type's other characters are written _)");
        }
    }

    @Test
    void aSecretTooShortToMaskIsNamedAtStartUpNeverShown() {
        try (LogCapture log = LogCapture.attach()) {
            parse("""
                    channels:
                      - {name: mail, type: email, host: smtp.example.com, from: a@example.com, to: [b@example.com],
                         username: ops, password: "pw12"}
                      - name: hook
                        type: webhook
                        url: "https://example.com/notifications"
                        headers: {Authorization: "Bearer abc9", X-Team: ops, X-Api-Key: "LongEnough123"}
                    rules: []
                    default: [log]
                    """);

            assertThat(log.linesContaining("too short for the log to mask it")).containsExactly(
                    "WARN io.castai.events.channels.ChannelsFile - channels.yaml: channel mail's password is shorter than 8 "
                            + "characters: easy to guess, and too short for the log to mask it",
                    "WARN io.castai.events.channels.ChannelsFile - channels.yaml: channel hook's headers.Authorization is "
                            + "shorter than 8 characters: easy to guess, and too short for the log to mask it");
            assertThat(log.text()).doesNotContain("pw12", "abc9");
        }
    }

    @Test
    void whatTheFileAllowsButIsAlmostSurelyAMistakeIsSaidAtStartUp() {
        Channels channels = parse("""
                channels:
                  - {name: slack-ops, type: slack, webhookUrl: "${SLACK_OPS_URL}"}
                  - {name: slack-off, type: slack, optional: true, webhookUrl: "${NOT_SET:-}"}
                  - {name: unused-hook, type: webhook, url: "https://example.com/hook"}
                  - name: pager
                    type: pagerduty
                    routingKey: 0123456789abcdef0123456789abcdef
                    dedupBy: node
                    resolveOn: [node.removed, node.deleted, "node.gone*"]
                rules:
                  - {name: quiet, eventTypes: [test.*], channels: [slack-off]}
                  - {name: spot, eventTypes: [node.spot_interrupted, "node.rem*"], channels: [pager]}
                default: [log, slack-ops]
                """);

        // (a glob in resolveOn is not checked: which types the rules send it cannot tell)
        assertThat(channels.warnings()).containsExactly(
                "Channel unused-hook is named by no rule nor the default: it receives nothing",
                "Channel pager resolves on node.deleted, but no rule sends node.deleted events to it: its incidents are never resolved",
                "Rule quiet sends only to channels that are off [slack-off]: the events it matches notify nobody (nor go on to later rules)");
    }

    @Test
    void aRuleThatAnEarlierOneLeavesNothingToIsSaidAtStartUp() {
        Channels channels = parse("""
                channels:
                  - {name: slack-ops, type: slack, webhookUrl: "${SLACK_OPS_URL}"}
                rules:
                  - {name: nodes, eventTypes: ["node.*"], channels: [slack-ops]}
                  - {name: spot, eventTypes: [node.spot_interrupted], channels: [log]}
                  - {name: node-globs, eventTypes: ["node.*"], minSeverity: CRITICAL, channels: [log]}
                  - {name: prod-critical, minSeverity: CRITICAL, clusters: [prod], channels: [log]}
                  - {name: critical, minSeverity: CRITICAL, channels: [slack-ops]}
                  - {name: prod-errors, eventTypes: [cast_ai_notification], minSeverity: ERROR, clusters: [prod], channels: [log]}
                  - {name: prod-critical-again, eventTypes: [audit.*], minSeverity: CRITICAL, clusters: [prod], channels: [log]}
                  - {name: everything, channels: [log]}
                  - {name: after-all, eventTypes: [savings.daily], channels: [slack-ops]}
                default: [log]
                """);

        // a less severe threshold, another type or a glob of types an earlier rule names only in part: reachable
        assertThat(channels.warnings()).containsExactly(
                "Rule spot never matches: rule nodes before it takes every event it would (give nodes continue: true, "
                        + "or put spot before it)",
                "Rule node-globs never matches: rule nodes before it takes every event it would (give nodes continue: "
                        + "true, or put node-globs before it)",
                "Rule prod-critical-again never matches: rule prod-critical before it takes every event it would (give "
                        + "prod-critical continue: true, or put prod-critical-again before it)",
                "Rule after-all never matches: rule everything before it takes every event it would (give everything "
                        + "continue: true, or put after-all before it)");
        Channels going = parse("""
                channels:
                  - {name: slack-ops, type: slack, webhookUrl: "${SLACK_OPS_URL}"}
                rules:
                  - {name: everything, channels: [log], continue: true}
                  - {name: nodes, eventTypes: ["node.*"], channels: [slack-ops]}
                default: [log]
                """);
        assertThat(going.warnings()).as("continue: true lets later rules match").isEmpty();
    }

    @Test
    void aDefaultWhoseChannelsAreAllOffIsSaidAtStartUp() {
        Channels channels = parse("""
                channels:
                  - {name: slack-off, type: slack, optional: true, webhookUrl: "${NOT_SET:-}"}
                rules:
                  - {name: nodes, eventTypes: [node.*], channels: [log]}
                default: [slack-off]
                """);

        assertThat(channels.warnings()).containsExactly(
                "The default sends only to channels that are off [slack-off]: the events no rule matches notify nobody");
        Channels catchAll = parse("""
                channels:
                  - {name: slack-off, type: slack, optional: true, webhookUrl: "${NOT_SET:-}"}
                rules:
                  - {name: everything, eventTypes: ["*"], channels: [log]}
                default: [slack-off]
                """);
        assertThat(catchAll.warnings()).as("a rule takes every event: the default is never reached").isEmpty();
    }

    @Test
    void ruleNamesAreUniqueAndNotTheDefaults() {
        // the dry-run and the log name the rules an event matched
        assertThatThrownBy(() -> parse("""
                rules:
                  - {name: nodes, eventTypes: [node.added], channels: [log]}
                  - {name: nodes, eventTypes: [node.removed], channels: [log]}
                default: [log]
                """)).hasMessage("channels.yaml: rules[1].name: duplicate rule name \"nodes\"");
        assertThatThrownBy(() -> parse("""
                rules:
                  - {name: default, eventTypes: [node.added], channels: [log]}
                default: [log]
                """)).hasMessage("channels.yaml: rules[0].name: \"default\" is the default rule's name");
    }

    @Test
    void theBundledFileWarnsOfNothing() throws Exception {
        String file = java.nio.file.Files.readString(java.nio.file.Path.of("channels.yaml"));
        Map<String, String> off = Map.of("pagerduty.events.url", "https://events.pagerduty.com/v2/enqueue");
        Map<String, String> on = Map.of("pagerduty.events.url", "https://events.pagerduty.com/v2/enqueue",
                "slack.webhook.url", "https://hooks.slack.com/services/T/B/x", "pagerduty.routing.key", "0123456789abcdef0123456789abcdef");
        assertThat(ChannelsFile.parse("channels.yaml", file, off::get).warnings()).as("Slack and PagerDuty off").isEmpty();
        assertThat(ChannelsFile.parse("channels.yaml", file, on::get).warnings()).as("both on").isEmpty();
    }
}
