package io.castai.events.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.castai.events.intake.NotificationEvent;
import io.castai.events.intake.Severity;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SizeBoundedQueueTest {
    private final CamelContext context = new DefaultCamelContext();

    @Test
    void theQueueHoldsNoMoreTextThanItsBoundButAlwaysOneDelivery() throws Exception {
        SizeBoundedQueue queue = new SizeBoundedQueue(10, 1_000);

        assertThat(queue.offer(delivery(5_000))).as("one, however long").isTrue();
        assertThat(queue.offer(delivery(10), 1, TimeUnit.SECONDS)).as("nothing beside it").isFalse();
        assertThat(queue.charsRoom()).isZero();
        queue.poll();
        assertThat(queue.charsRoom()).as("given back when taken").isEqualTo(1_000);

        assertThat(queue.offer(delivery(400))).isTrue();
        assertThat(queue.offer(delivery(400), 1, TimeUnit.SECONDS)).isTrue();
        assertThat(queue.offer(delivery(400))).as("beyond the bound").isFalse();
        assertThat(queue).hasSize(2);
        assertThat(queue.charsRoom()).as("what a refused offer booked is given back").isEqualTo(200 - 2 * eventLength());
    }

    @Test
    void everyWayOutGivesTheTextBack() throws Exception {
        SizeBoundedQueue queue = new SizeBoundedQueue(10, 1_000_000);
        for (int i = 0; i < 6; i++) {
            queue.offer(delivery(100));
        }
        queue.poll();
        queue.take();
        queue.remove(queue.peek());
        queue.removeIf(exchange -> queue.size() > 2);
        List<Exchange> drained = new ArrayList<>();
        queue.drainTo(drained, 1);
        queue.clear();

        assertThat(queue).isEmpty();
        assertThat(queue.charsRoom()).isEqualTo(1_000_000);
    }

    @Test
    void aDeliveryTheWorkersTookCountsUntilItsRouteIsDoneWithIt() throws Exception {
        SizeBoundedQueue queue = new SizeBoundedQueue(10, 1_000);
        queue.offer(delivery(400));

        Exchange taken = queue.poll(1, TimeUnit.SECONDS);
        assertThat(queue).isEmpty();
        assertThat(queue.holdsNothing()).as("being sent").isFalse();
        assertThat(queue.offer(delivery(700))).as("no room beside it").isFalse();

        taken.getExchangeExtension().handoverCompletions().forEach(done -> done.onComplete(taken));
        assertThat(queue.holdsNothing()).isTrue();
        assertThat(queue.charsRoom()).isEqualTo(1_000);
    }

    @Test
    void theCountIsBoundedAsWell() throws Exception {
        SizeBoundedQueue queue = new SizeBoundedQueue(1, 1_000_000);

        assertThat(queue.offer(delivery(1))).isTrue();
        assertThat(queue.offer(delivery(1), 10, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(queue.remainingCapacity()).isZero();
        assertThat(queue.charsRoom()).isEqualTo(1_000_000 - 1 - eventLength());
    }

    private Exchange delivery(int messageLength) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(DeliveryReport.MESSAGE, "m".repeat(messageLength));
        exchange.getMessage().setBody(event());
        return exchange;
    }

    private static NotificationEvent event() {
        return new NotificationEvent("e-1", "node.added", Severity.INFO, "c-1", "prod", "2026-11-29T10:00:00Z",
                "node.added", "Node added", Map.of("nodeName", "n-1", "cpu", 4), "event");
    }

    private static int eventLength() {
        return event().textLength();
    }
}
