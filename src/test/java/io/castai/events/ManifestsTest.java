package io.castai.events;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import io.castai.events.support.RunningService;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes manifests (deploy/) hold together with the service they run: what they list
 * exists, the settings they set are ones it reads, the probes ask what it answers, and they
 * never carry a Secret that would overwrite the keys a user created.
 */
class ManifestsTest {
    private static final Path BASE = Path.of("deploy/kubernetes");
    private static final Path MULTI_REPLICA = Path.of("deploy/kubernetes-multi-replica");

    @Test
    void theKustomizationsListFilesThatExistAndNoSecret() throws IOException {
        for (Path kustomization : List.of(BASE, MULTI_REPLICA)) {
            for (Object resource : list(only(kustomization.resolve("kustomization.yaml")).get("resources"))) {
                Path path = kustomization.resolve((String) resource).normalize();
                assertThat(path).as(kustomization + " lists " + resource).exists();
                if (Files.isRegularFile(path)) {
                    assertThat(documents(path)).as(path + ": applied with the rest, a Secret's example values would "
                            + "overwrite the keys created by hand").noneMatch(doc -> "Secret".equals(doc.get("kind")));
                }
            }
        }
    }

    @Test
    void everySettingTheManifestsSetIsDocumented() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<String> settings = new ArrayList<>();
        settings.addAll(map(only(BASE.resolve("configmap.yaml")).get("data")).keySet());
        settings.addAll(map(only(BASE.resolve("secret.example.yaml")).get("stringData")).keySet());
        settings.addAll(map(only(MULTI_REPLICA.resolve("store-secret.example.yaml")).get("stringData")).keySet());

        assertThat(settings).hasSizeGreaterThan(10)
                .allSatisfy(name -> assertThat(readme).as(name + " in README's configuration table").contains("| `" + name + "` |"));
    }

    @Test
    void kubernetesPutsNoServiceLinksInTheEnvironmentWhereTheyWouldReadAsSettings() throws IOException {
        Map<String, Object> pod = map(map(map(only(BASE.resolve("deployment.yaml")).get("spec")).get("template")).get("spec"));
        assertThat(pod).containsEntry("enableServiceLinks", false);
    }

    @Test
    void theProbesAskPathsTheServiceAnswers() throws IOException {
        Map<String, Object> container = map(list(map(map(map(only(BASE.resolve("deployment.yaml")).get("spec"))
                .get("template")).get("spec")).get("containers")).get(0));
        List<String> paths = new ArrayList<>();
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Map<String, Object> httpGet = map(map(container.get(probe)).get("httpGet"));
            assertThat(httpGet.get("port")).as(probe + " asks the container's named port").isEqualTo("http");
            paths.add((String) httpGet.get("path"));
        }
        assertThat(map(list(container.get("ports")).get(0))).containsEntry("name", "http");

        try (RunningService service = RunningService.builder().start()) {
            assertThat(paths).allSatisfy(path -> assertThat(service.get(path).statusCode()).as(path).isEqualTo(200));
        }
    }

    /**
     * Health and metrics are answered one at a time on each event loop: a probe may wait behind a
     * scrape that waits CASTAI_STORE_CONNECT_TIMEOUT for a database that is away (helper-106 saw a
     * liveness probe take 5.5-6 s). A probe that times out then would take the pod out of its
     * Service, or restart it, for an outage it can do nothing about.
     */
    @Test
    void theProbesWaitLongerThanAScrapeTheDatabaseHoldsUp() throws IOException {
        Map<String, Object> container = map(list(map(map(map(only(BASE.resolve("deployment.yaml")).get("spec"))
                .get("template")).get("spec")).get("containers")).get(0));
        Properties settings = new Properties();
        try (Reader file = Files.newBufferedReader(Path.of("application.properties"))) {
            settings.load(file);
        }
        long connectSeconds = Duration.parse("PT" + settings.getProperty("castai.store.connect-timeout").trim()).toSeconds();
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(((Number) map(container.get(probe)).get("timeoutSeconds")).longValue()).as(probe)
                    .isGreaterThan(2 * connectSeconds);
        }
    }

    @Test
    void theRoleOnlyListsAndWatchesEvents() throws IOException {
        Map<String, Object> role = documents(BASE.resolve("rbac.yaml")).stream()
                .filter(doc -> "Role".equals(doc.get("kind"))).findFirst().orElseThrow();
        for (Object rule : list(role.get("rules"))) {
            assertThat(list(map(rule).get("resources"))).containsExactly("events");
            assertThat(list(map(rule).get("verbs"))).isSubsetOf(Set.of("list", "watch"));
        }
    }

    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))
                .forEach(doc -> documents.add(map(doc)));
        return documents;
    }

    private static Map<String, Object> only(Path file) throws IOException {
        List<Map<String, Object>> documents = documents(file);
        assertThat(documents).as(file.toString()).hasSize(1);
        return documents.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        assertThat(node).isInstanceOf(List.class);
        return (List<Object>) node;
    }
}
