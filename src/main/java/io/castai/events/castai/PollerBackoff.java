package io.castai.events.castai;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.castai.events.delivery.DeliveryFailure;
import io.castai.events.ops.Causes;
import io.castai.events.ops.ServiceMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed CAST AI call means for the next scheduled run. 401/403: the key is refused, so
 * that poller does not poll that cluster again (one error line; health reports it); the other
 * pollers go on (a key may lack the right for one endpoint only). 429, 5xx and I/O
 * errors: the poller skips runs until Retry-After or an exponential backoff has passed, then
 * resumes from its checkpoint. A 429 holds every poller of every cluster as long: a rate limit
 * is the key's, and the others calling on with it would only be refused in turn.
 */
public class PollerBackoff {
    /** Exchange properties naming the poller and the cluster a call is for. */
    public static final String POLLER = "poller";
    public static final String CLUSTER = "clusterId";

    private static final Logger LOG = LoggerFactory.getLogger(PollerBackoff.class);
    /** The longest Retry-After taken as asked: a longer one is more likely a server's mistake than meant. */
    static final Duration RETRY_AFTER_LIMIT = Duration.ofHours(1);

    private final CastaiApi api;
    private final ServiceMetrics metrics;
    private final Duration initial;
    private final Duration max;
    private final Clock clock;
    /** poller:cluster pairs whose key was refused. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    /** Until when the API's rate limit holds every poller (epoch 0: it does not); only ever moved later. */
    private final AtomicReference<Instant> rateLimitedUntil = new AtomicReference<>(Instant.EPOCH);

    public PollerBackoff(CastaiApi api, ServiceMetrics metrics, Duration initial, Duration max, Clock clock) {
        this.api = api;
        this.metrics = metrics;
        this.initial = initial;
        this.max = max;
        this.clock = clock;
    }

    /** False while the key is refused for this poller and cluster, or the poller is backing off. */
    public boolean isDue(String poller, String cluster) {
        if (refused.contains(key(poller, cluster))) {
            return false;
        }
        Instant now = clock.instant();
        Instant after = notBefore.get(key(poller, cluster));
        return (after == null || !now.isBefore(after)) && !now.isBefore(rateLimitedUntil.get());
    }

    public void succeeded(Exchange exchange) {
        String poller = exchange.getProperty(POLLER, String.class);
        String cluster = exchange.getProperty(CLUSTER, "", String.class);
        failures.remove(key(poller, cluster));
        notBefore.remove(key(poller, cluster));
        metrics.pollSucceeded(poller, cluster, clock.instant());
    }

    /** The onException handler of every poller. */
    public void failed(Exchange exchange) {
        String poller = exchange.getProperty(POLLER, "castai", String.class);
        String cluster = exchange.getProperty(CLUSTER, "", String.class);
        Throwable cause = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class);
        DeliveryFailure failure = DeliveryFailure.classify(cause, api::withoutKey);
        // the service's own words, where it has them (an unreadable answer or checkpoint): what is wrong and what to do
        String ownWords = ownWords(cause);
        String description = ownWords != null ? ownWords : failure.description();
        metrics.pollFailed(poller, cluster, ownWords != null ? "unreadable" : failure.reason());
        String where = cluster.isEmpty() ? "the organization" : "cluster " + cluster;
        if (failure.credentialsRefused()) {
            if (refused.add(key(poller, cluster))) {
                LOG.error("CAST AI API refused the key ({}) for the {} poller of {}: it has stopped polling there; "
                        + "fix CASTAI_API_KEY and restart", description, poller, where);
            }
            return;
        }
        String key = key(poller, cluster);
        int count = failures.merge(key, 1, Integer::sum);
        // the exponential backoff stops at max; a Retry-After is what the API asked for, longer or not,
        // but never less than the backoff (a Retry-After: 0 had the poller due again at every run)
        Duration wait = exponential(count);
        if (failure.retryAfter() != null && failure.retryAfter().compareTo(wait) > 0) {
            wait = min(failure.retryAfter(), RETRY_AFTER_LIMIT);
        }
        Instant until = clock.instant().plus(wait);
        notBefore.put(key, until);
        boolean rateLimited = DeliveryFailure.RATE_LIMITED.equals(failure.reason());
        if (rateLimited) {
            // two pollers refused at once: the later hold stands, whichever is recorded last
            rateLimitedUntil.accumulateAndGet(until, (held, asked) -> asked.isAfter(held) ? asked : held);
        }
        LOG.warn("CAST AI {} poll for {} failed ({}); next try in {} s at the earliest, from the last checkpoint{}",
                poller, where, description, wait.toSeconds(),
                rateLimited ? "; every poller waits as long (the key's rate limit)" : "");
    }

    /** The message of an unreadable answer or checkpoint in the chain, or null. */
    private static String ownWords(Throwable cause) {
        for (Throwable t : Causes.chain(cause)) {
            if (t instanceof UnreadableAnswerException || t instanceof UnreadableCheckpointException) {
                return t.getMessage();
            }
        }
        return null;
    }

    /** The pollers and clusters ({@code audit:<cluster>}) whose key was refused, for the health check. */
    public Set<String> refusals() {
        return new TreeSet<>(refused);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private Duration exponential(int failureCount) {
        long millis = (long) Math.min(initial.toMillis() * Math.pow(2, failureCount - 1), max.toMillis());
        return Duration.ofMillis(millis);
    }

    private static String key(String poller, String cluster) {
        return poller + ":" + cluster;
    }
}
