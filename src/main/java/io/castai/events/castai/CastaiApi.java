package io.castai.events.castai;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.castai.events.security.SecretForms;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * How to call CAST AI's public API (X-API-Key auth). Prepares the request headers that camel-http
 * reads (method, URI, query) on a message stripped of everything else, so nothing but the key
 * and the request itself leaves the process. The key is never logged.
 */
public class CastaiApi {
    private final String apiKey;
    /** The key in every form an answer may quote it in. */
    private final List<String> keyForms;
    private final String baseUrl;
    private final List<String> clusterIds;

    public CastaiApi(String apiKey, String baseUrl, String clusterIds) {
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
        this.keyForms = this.apiKey == null ? List.of() : SecretForms.of(List.of(this.apiKey));
        this.baseUrl = baseUrl == null ? "" : baseUrl.trim().replaceAll("/+$", "");
        this.clusterIds = clusterIds == null ? List.of() : Arrays.stream(clusterIds.split(","))
                .map(String::trim).filter(id -> !id.isEmpty()).distinct().toList();
    }

    public boolean hasKey() {
        return apiKey != null;
    }

    /** The clusters to poll (CASTAI_CLUSTER_ID, one id or a comma-separated list). */
    public List<String> clusterIds() {
        return clusterIds;
    }

    /** The notifications' scopes: each cluster polled, else the whole organization (""). */
    public List<String> clusterIdsOrOrganization() {
        return clusterIds().isEmpty() ? List.of("") : clusterIds();
    }

    public void get(Exchange exchange, String path, Map<String, String> query) {
        Message message = prepare(exchange, "GET", path);
        message.setHeader(Exchange.HTTP_QUERY, query.entrySet().stream()
                .filter(e -> e.getValue() != null && !e.getValue().isEmpty())
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&")));
        message.setBody(null);
    }

    public void post(Exchange exchange, String path, String json) {
        Message message = prepare(exchange, "POST", path);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(json);
    }

    private Message prepare(Exchange exchange, String method, String path) {
        Message message = exchange.getMessage();
        // Quartz and earlier responses leave headers behind; camel-http would send them all on
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_METHOD, method);
        message.setHeader(Exchange.HTTP_URI, baseUrl + path);
        message.setHeader("X-API-Key", apiKey);
        message.setHeader("Accept", "application/json");
        return message;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * The text with the key replaced by {@code <secret>}: an error answer may quote the request's
     * headers or the key itself ("invalid key ..."), and such text is logged.
     */
    public String withoutKey(String text) {
        return SecretForms.without(text, keyForms);
    }
}
