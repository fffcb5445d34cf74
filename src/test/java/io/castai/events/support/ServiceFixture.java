package io.castai.events.support;

import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * The running service with Slack and PagerDuty stand-ins and a log capture, shared by the test
 * classes that boot it once for all their tests.
 */
public final class ServiceFixture implements AutoCloseable {
    public final HttpStandIn slack;
    public final HttpStandIn pagerDuty;
    public final LogCapture log;
    public final RunningService service;

    private ServiceFixture(HttpStandIn slack, HttpStandIn pagerDuty, LogCapture log, RunningService service) {
        this.slack = slack;
        this.pagerDuty = pagerDuty;
        this.log = log;
        this.service = service;
    }

    /** Starts the service with both channels pointed at the stand-ins, plus the test's own settings. */
    public static ServiceFixture start(UnaryOperator<RunningService.Builder> settings) throws IOException {
        HttpStandIn slack = HttpStandIn.slack();
        HttpStandIn pagerDuty = HttpStandIn.pagerDuty();
        LogCapture log = LogCapture.attach();
        RunningService service = settings.apply(RunningService.builder().channels(slack, pagerDuty)).start();
        return new ServiceFixture(slack, pagerDuty, log, service);
    }

    /** Between tests: no recorded requests, the stand-ins' default answers back, an empty log. */
    public void reset() {
        slack.reset();
        pagerDuty.reset();
        log.clear();
    }

    @Override
    public void close() {
        service.close();
        slack.close();
        pagerDuty.close();
        log.close();
    }
}
