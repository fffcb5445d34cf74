package io.castai.events;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;

import io.castai.events.castai.CastaiApi;
import io.castai.events.castai.PolledEvents;
import io.castai.events.castai.PollerBackoff;
import io.castai.events.channels.Channels;
import io.castai.events.channels.ConfigurationException;
import io.castai.events.channels.ChannelsFile;
import io.castai.events.channels.ConsoleLink;
import io.castai.events.outbox.Outbox;
import io.castai.events.outbox.Store;
import io.castai.events.security.AdminAuth;
import io.castai.events.security.InboundAuth;
import io.castai.events.security.Secrets;
import io.castai.events.security.WebhookSignature;
import io.castai.events.delivery.ChannelPause;
import io.castai.events.delivery.DeliveryRetryPolicy;
import io.castai.events.intake.EventParser;
import io.castai.events.kubernetes.KubernetesEvents;
import io.castai.events.ops.ServiceMetrics;
import io.castai.events.outbound.OutboundCallLimits;
import io.castai.events.outbound.PlainHttp;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The beans built from settings alone (and the clock): the store, the channels file, the
 * CAST AI API client, retry policies, authentication. {@link EventsConfiguration} builds the
 * rest from these. Two classes because Camel cannot be relied on to order one class's methods by
 * their dependencies (its sort reads the list it is sorting): a bean that needs a bean built here
 * comes from a later class (App adds this one first), which finds it in the registry.
 */
@Configuration
public class BaseConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(BaseConfiguration.class);
    /** A duration written as zero on purpose: 0, 0s, 0ms... */
    private static final Pattern ZERO = Pattern.compile("0+[a-z]*");
    /** The whole of a duration as Camel writes it: 1h30m, 500ms, 24h, 1d (Camel would read 1h30 as 1h). */
    private static final Pattern WRITTEN = Pattern.compile("\\d+|(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?");

    @BindToRegistry
    public ServiceMetrics metrics(CamelContext camelContext) {
        return new ServiceMetrics(camelContext);
    }

    /**
     * Bounds every outbound HTTP call (camel-http's client, application.properties). A delivery
     * is leased while it is sent: the longest call must fit in half the lease, or another replica
     * could send the same delivery while the first is still at it.
     */
    @BindToRegistry
    public OutboundCallLimits outboundCallLimits(@PropertyInject("http.call-timeout-ms") long callTimeout,
                                                 @PropertyInject("http.max-answer-bytes") long maxAnswerBytes,
                                                 @PropertyInject("delivery.lease") String lease) {
        if (callTimeout <= 0) {
            throw ConfigurationException.inSetting("http.call-timeout-ms", "must be above 0");
        }
        if (maxAnswerBytes < OutboundCallLimits.CHANNEL_ANSWER_BYTES) {
            // camel-http reads an answer of up to 8 KiB by its length, into an array a cut would leave padded
            throw ConfigurationException.inSetting("http.max-answer-bytes", "must be 65536 or more");
        }
        if (2 * callTimeout >= duration("delivery.lease", lease).toMillis()) {
            throw ConfigurationException.inSetting("http.call-timeout-ms",
                    "must be under half of DELIVERY_LEASE (delivery.lease), so that a delivery's lease outlasts its send");
        }
        return new OutboundCallLimits(callTimeout, maxAnswerBytes, "HTTP_MAX_ANSWER_BYTES");
    }

    /** The same for the channels' calls (routes/deliver-http.camel.yaml), with a channel's answer limit. */
    @BindToRegistry
    public OutboundCallLimits channelCallLimits(@PropertyInject("http.call-timeout-ms") long callTimeout) {
        return new OutboundCallLimits(callTimeout, OutboundCallLimits.CHANNEL_ANSWER_BYTES, "a channel's answer");
    }

    @BindToRegistry
    public EventParser eventParser() {
        return new EventParser();
    }

    /**
     * The outbox, in a SQLite file under DATA_DIR, or with CASTAI_STORE_URL in the PostgreSQL
     * database the replicas share.
     */
    @BindToRegistry
    public Outbox outbox(@PropertyInject("data.dir") String dataDir,
                         @PropertyInject("delivery.lease") String lease,
                         @PropertyInject("dedup.window") String window,
                         @PropertyInject(value = "castai.store.url", defaultValue = "") String storeUrl,
                         @PropertyInject(value = "castai.store.username", defaultValue = "") String username,
                         @PropertyInject(value = "castai.store.password", defaultValue = "") String password,
                         @PropertyInject("castai.store.pool-size") int poolSize,
                         @PropertyInject("castai.store.connect-timeout") String connectTimeout,
                         Clock clock) {
        String url = Secrets.resolveSecret("CASTAI_STORE_URL", storeUrl);
        // read whatever the store: a mistake shows now, not the day PostgreSQL is set
        Duration connect = duration("castai.store.connect-timeout", connectTimeout);
        if ((url == null || url.isBlank()) && (dataDir == null || dataDir.isBlank())) {
            // Path.of("") is the working directory: the state would land wherever the process started
            throw ConfigurationException.inSetting("data.dir", "is empty: set it to the directory that keeps the service's state");
        }
        if (url != null && !url.isBlank() && poolSize < 2) {
            // with one, every read (a dedup lookup, a claim, the health check) waited out the connect
            // timeout (SQLite's pool is its own, four)
            throw ConfigurationException.inSetting("castai.store.pool-size",
                    "must be 2 or more: the store's writer keeps one connection for good, and reads need others");
        }
        Store store = url == null || url.isBlank() ? Store.sqlite(Path.of(dataDir.trim()))
                : Store.postgres(url.trim(), username, Secrets.resolveSecret("CASTAI_STORE_PASSWORD", password), poolSize, connect);
        return new Outbox(store, clock, duration("delivery.lease", lease), dedupWindow(window));
    }

    @BindToRegistry
    public InboundAuth inboundAuth(@PropertyInject(value = "webhook.token", defaultValue = "") String token,
                                   @PropertyInject(value = "webhook.signing-secret", defaultValue = "") String signingSecret,
                                   @PropertyInject("webhook.signature-tolerance") String tolerance, Clock clock) {
        String secret = Secrets.resolveSecret("WEBHOOK_SIGNING_SECRET", signingSecret);
        // read without a secret too: a mistake shows now, not the day signing is turned on
        Duration signatureTolerance = positiveDuration("webhook.signature-tolerance", tolerance);
        return new InboundAuth(Secrets.resolveSecret("WEBHOOK_TOKEN", token),
                secret == null || secret.isBlank() ? null : new WebhookSignature(secret.trim(), signatureTolerance, clock));
    }

    @BindToRegistry
    public AdminAuth adminAuth(@PropertyInject(value = "admin.token", defaultValue = "") String token) {
        return new AdminAuth(Secrets.resolveSecret("ADMIN_TOKEN", token));
    }

    @BindToRegistry
    public Channels channels(CamelContext camelContext, @PropertyInject("channels.file") String file) {
        return ChannelsFile.load(Path.of(file), name -> placeholder(camelContext, name));
    }

    @BindToRegistry
    public ConsoleLink consoleLink(@PropertyInject("castai.console.url") String consoleUrl) {
        // empty: no links
        return new ConsoleLink(consoleUrl == null || consoleUrl.isBlank() ? "" : httpUrl("castai.console.url", consoleUrl));
    }

    @BindToRegistry
    public DeliveryRetryPolicy deliveryRetryPolicy(
            @PropertyInject("delivery.max-attempts") int maxAttempts,
            @PropertyInject("delivery.max-age") String maxAge,
            @PropertyInject("delivery.initial-backoff") String initialBackoff,
            @PropertyInject("delivery.max-backoff") String maxBackoff,
            @PropertyInject("delivery.retry-after-cap") String retryAfterCap,
            Clock clock) {
        Duration initial = positiveDuration("delivery.initial-backoff", initialBackoff);
        Duration max = positiveDuration("delivery.max-backoff", maxBackoff);
        notLongerThan("delivery.initial-backoff", initial, "delivery.max-backoff", max);
        return new DeliveryRetryPolicy(maxAttempts, positiveDuration("delivery.max-age", maxAge), initial, max,
                duration("delivery.retry-after-cap", retryAfterCap), clock);
    }

    @BindToRegistry
    public ChannelPause channelPause(Clock clock) {
        return new ChannelPause(clock);
    }

    @BindToRegistry
    public Clock clock() {
        return Clock.systemUTC();
    }

    @BindToRegistry
    public CastaiApi castaiApi(
            @PropertyInject(value = "castai.api.key", defaultValue = "") String apiKey,
            @PropertyInject("castai.api.url") String apiUrl,
            @PropertyInject(value = "castai.cluster.id", defaultValue = "") String clusterIds) {
        String key = Secrets.resolveSecret("CASTAI_API_KEY", apiKey);
        if (key != null && key.trim().matches("([\"'].*|.*[\"'])")) {
            // sent as it is, quotes and all: every call refused, and the key "fixed" in vain
            throw ConfigurationException.inSetting("castai.api.key", "has quotes around it: write the key without them");
        }
        String url = httpUrl("castai.api.url", apiUrl);
        if (key != null && !key.isBlank() && PlainHttp.offThisMachine(url)) {
            LOG.warn("CASTAI_API_URL is plain http: the API key in every call crosses the network unencrypted; use https");
        }
        return new CastaiApi(key, url, checkedClusterIds(clusterIds));
    }

    @BindToRegistry
    public PollerBackoff pollerBackoff(CastaiApi api, ServiceMetrics metrics, @PropertyInject("castai.poll.backoff") String initial,
                                       @PropertyInject("castai.poll.max-backoff") String max, Clock clock) {
        Duration first = positiveDuration("castai.poll.backoff", initial);
        Duration longest = positiveDuration("castai.poll.max-backoff", max);
        notLongerThan("castai.poll.backoff", first, "castai.poll.max-backoff", longest);
        return new PollerBackoff(api, metrics, first, longest, clock);
    }

    @BindToRegistry
    public PolledEvents polledEvents(EventParser parser) {
        return new PolledEvents(parser);
    }

    @BindToRegistry
    public KubernetesEvents kubernetesEvents(@PropertyInject(value = "k8s.cluster-name", defaultValue = "") String name,
                                             @PropertyInject("k8s.events.source") String source) {
        return new KubernetesEvents(name, source);
    }

    /**
     * A ${NAME} of channels.yaml: the environment variable NAME, else the property NAME (which
     * the matching upper-case variable overrides), else nothing; NAME_FILE's content wins.
     */
    private static String placeholder(CamelContext camelContext, String name) {
        // the environment as written: through Camel, a {{ in it was taken for a placeholder of
        // another setting (${smtp.password} read "not set", or empty with a default)
        String value = System.getenv(name);
        if (value == null) {
            value = System.getenv(ConfigurationException.environmentName(name));
        }
        if (value == null) {
            value = camelContext.getPropertiesComponent().resolveProperty(name).orElse(null);
        }
        return Secrets.resolve(ConfigurationException.environmentName(name), value);
    }

    /** DEDUP_WINDOW, which must be more than zero: zero would turn deduplication off without a word. */
    static Duration dedupWindow(String text) {
        Duration window = duration("dedup.window", text);
        if (window.isZero()) {
            throw ConfigurationException.inSetting("dedup.window", "must be more than 0 (it is how long an event id is remembered)");
        }
        return window;
    }

    /**
     * Durations are written the Camel way: 500ms, 30s, 24h, 1h30m (a bare number is milliseconds).
     * Camel reads some other writings as zero (a zero dedup window would silently turn
     * deduplication off) and 1h30 as 1h: so anything else stops start-up, naming the setting.
     */
    static Duration duration(String key, String text) {
        String written = text == null ? "" : text.trim();
        long millis;
        try {
            millis = TimeUtils.toMilliSeconds(written);
        } catch (RuntimeException unreadable) {
            millis = -1;
        }
        if (!WRITTEN.matcher(written).matches() || millis < 0 || millis == 0 && !ZERO.matcher(written).matches()) {
            throw ConfigurationException.inSetting(key, "'" + written + "' is not a duration; write it like 24h, 5m, 30s, 500ms or 1h30m");
        }
        return Duration.ofMillis(millis);
    }

    /**
     * An address the service calls or links to: http(s) with a host. Without a scheme every poll
     * failed with a URISyntaxException naming no setting, and links led nowhere.
     */
    static String httpUrl(String key, String text) {
        String url = text == null ? "" : text.trim();
        try {
            URI uri = new URI(url);
            if (uri.getHost() != null && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
                return url;
            }
        } catch (URISyntaxException unreadable) {
            // said below
        }
        throw ConfigurationException.inSetting(key, "must be an http(s) URL with a host (https://...)");
    }

    /** A first backoff longer than the longest was cut to it without a word: which was meant? */
    private static void notLongerThan(String firstKey, Duration first, String longestKey, Duration longest) {
        if (first.compareTo(longest) > 0) {
            throw ConfigurationException.inSetting(firstKey, "is longer than " + ConfigurationException.environmentName(longestKey)
                    + " (" + longestKey + "), the longest pause: make it shorter, or that one longer");
        }
    }

    private static final Pattern CLUSTER_ID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /**
     * CAST AI's cluster ids are UUIDs: a cluster's name, or ids pasted with quotes, were taken and
     * polled, each poll a 404 or a 400 a few minutes apart. The value is not repeated (it may be a
     * misplaced secret): its place in the list is.
     */
    static String checkedClusterIds(String clusterIds) {
        if (clusterIds == null) {
            return null;
        }
        String[] ids = clusterIds.split(",");
        for (int i = 0; i < ids.length; i++) {
            String id = ids[i].trim();
            if (!id.isEmpty() && !CLUSTER_ID.matcher(id).matches()) {
                String which = ids.length == 1 ? "it" : "its entry " + (i + 1) + " of " + ids.length;
                throw ConfigurationException.inSetting("castai.cluster.id", which + " is not a cluster id: a UUID "
                        + "(4d2f1b3e-7c1a-4e59-9a3b-2f6c8d0e1a77), as the console's cluster page and its URL show it; "
                        + "several are separated by commas, without quotes");
            }
        }
        return clusterIds;
    }

    /** As {@link #duration}, for a setting that 0 would break (no retry, a retry on every tick, a timer that fires once). */
    static Duration positiveDuration(String key, String text) {
        Duration duration = duration(key, text);
        if (duration.isZero()) {
            throw ConfigurationException.inSetting(key, "must be more than 0");
        }
        return duration;
    }
}
