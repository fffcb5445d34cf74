package io.castai.events.delivery;

import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.castai.events.intake.NotificationEvent;
import org.apache.camel.Exchange;
import org.apache.camel.component.seda.BlockingQueueFactory;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * A channel's queue (seda:channel-&lt;name&gt;) bounded twice: by how many deliveries it holds and
 * by the length of their text, messages and events ({@code delivery.queue-max-chars}), though it
 * always takes one.
 * A count alone let a burst of large events (a 1 MiB event renders to a message about twice as
 * long, held with its event) fill the heap, and a restart with them pending fill it again. An
 * offer beyond either bound is refused, and the delivery waits in the outbox for the retry timer,
 * as when the queue is full. A delivery taken by the channel's workers counts until its route is
 * done with it (sent, or put back): four workers each holding a message as long as its event
 * twice over, for four channels, were as much again as the queues. Every other removal goes
 * through {@link #removed}: the count cannot drift.
 */
public final class SizeBoundedQueue extends AbstractQueue<Exchange> implements BlockingQueue<Exchange> {
    private final LinkedBlockingQueue<Exchange> queue;
    private final long maxChars;
    private final AtomicLong chars = new AtomicLong();

    SizeBoundedQueue(int capacity, long maxChars) {
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.maxChars = maxChars;
    }

    /** {@code delivery.queue-max-chars} as set: 0 is a thirty-second of the heap. */
    public static long maxChars(long setting) {
        return setting > 0 ? setting : Runtime.getRuntime().maxMemory() / 32;
    }

    /** The factory the seda component makes every channel's queue with (the routes give each its size). */
    public static BlockingQueueFactory<Exchange> factory(long maxChars) {
        return new BlockingQueueFactory<>() {
            @Override
            public BlockingQueue<Exchange> create() {
                return new SizeBoundedQueue(Integer.MAX_VALUE, maxChars);
            }

            @Override
            public BlockingQueue<Exchange> create(int capacity) {
                return new SizeBoundedQueue(capacity, maxChars);
            }
        };
    }

    /** How much more text this queue takes now, its workers' included (with none, one delivery however long). */
    long charsRoom() {
        return Math.max(0, maxChars - chars.get());
    }

    /** Whether nothing is queued nor held by the workers: then one delivery goes in however long. */
    boolean holdsNothing() {
        return chars.get() == 0;
    }

    /** A delivery's message and the event it was rendered from, both held while it waits. */
    static long charsOf(Exchange exchange) {
        String message = exchange.getProperty(DeliveryReport.MESSAGE, String.class);
        long event = exchange.getMessage().getBody() instanceof NotificationEvent held ? held.textLength() : 0;
        return (message == null ? 0 : message.length()) + event;
    }

    /** Books the message's length; false (nothing booked) when it does not fit beside those queued. */
    private boolean book(Exchange exchange) {
        long size = charsOf(exchange);
        long after = chars.addAndGet(size);
        if (after > maxChars && after != size) {
            chars.addAndGet(-size);
            return false;
        }
        return true;
    }

    private Exchange removed(Exchange exchange) {
        if (exchange != null) {
            chars.addAndGet(-charsOf(exchange));
        }
        return exchange;
    }

    @Override
    public boolean offer(Exchange exchange) {
        if (!book(exchange)) {
            return false;
        }
        if (!queue.offer(exchange)) {
            removed(exchange);
            return false;
        }
        return true;
    }

    /** Waits for room by count only: a queue full of long messages empties no sooner for waiting. */
    @Override
    public boolean offer(Exchange exchange, long timeout, TimeUnit unit) throws InterruptedException {
        if (!book(exchange)) {
            return false;
        }
        boolean queued = false;
        try {
            queued = queue.offer(exchange, timeout, unit);
        } finally {
            if (!queued) {
                removed(exchange);
            }
        }
        return queued;
    }

    /** Not used by the channels' producers (they offer with a timeout); waits for room by count alone. */
    @Override
    public void put(Exchange exchange) throws InterruptedException {
        chars.addAndGet(charsOf(exchange));
        boolean queued = false;
        try {
            queue.put(exchange);
            queued = true;
        } finally {
            if (!queued) {
                removed(exchange);
            }
        }
    }

    @Override
    public Exchange poll() {
        return removed(queue.poll());
    }

    /** The channel's workers take from here (camel-seda): the text is given back once the route is done with it. */
    @Override
    public Exchange poll(long timeout, TimeUnit unit) throws InterruptedException {
        Exchange exchange = queue.poll(timeout, unit);
        if (exchange != null) {
            long size = charsOf(exchange);
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    chars.addAndGet(-size);
                }
            });
        }
        return exchange;
    }

    @Override
    public Exchange take() throws InterruptedException {
        return removed(queue.take());
    }

    @Override
    public Exchange peek() {
        return queue.peek();
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public int remainingCapacity() {
        return queue.remainingCapacity();
    }

    @Override
    public boolean remove(Object o) {
        if (queue.remove(o)) {
            removed((Exchange) o);
            return true;
        }
        return false;
    }

    @Override
    public int drainTo(Collection<? super Exchange> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super Exchange> c, int maxElements) {
        int drained = 0;
        for (Exchange exchange; drained < maxElements && (exchange = poll()) != null; drained++) {
            c.add(exchange);
        }
        return drained;
    }

    /** Removing through it (clear, removeIf...) gives the message's length back too. */
    @Override
    public Iterator<Exchange> iterator() {
        Iterator<Exchange> iterator = queue.iterator();
        return new Iterator<>() {
            private Exchange last;

            @Override
            public boolean hasNext() {
                return iterator.hasNext();
            }

            @Override
            public Exchange next() {
                last = iterator.next();
                return last;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException("next() first");
                }
                // the queue's own remove(Object): the iterator's would not say whether it removed
                // the element or a consumer had taken it meanwhile
                SizeBoundedQueue.this.remove(last);
                last = null;
            }
        };
    }
}
